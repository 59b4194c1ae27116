"""plexsync.yml read as strictly as Stash reads it (yaml.v2's strict mode: an unknown or
repeated key stops the plugin loading)."""

from __future__ import annotations

from typing import Any

import yaml

from tests.plugin_run import ROOT


class _StrictLoader(yaml.SafeLoader):
    """yaml.v2 strict mode also refuses a key given twice."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def manifest() -> dict[str, Any]:
    return yaml.load((ROOT / "plexsync.yml").read_text(), Loader=_StrictLoader)
