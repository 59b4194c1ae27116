"""Every GraphQL document PlexSync sends to Stash: stash/queries.py's, by name, and the web UI's
(the gql`...` documents in ui/*.js), by their operations' names."""

from __future__ import annotations

import re

from graphql import OperationDefinitionNode, parse

from stash import queries
from tests.plugin_run import ROOT

DOCUMENTS = {name: value for name, value in vars(queries).items()
             if name.isupper() and name != "SCENE_FIELDS" and isinstance(value, str)}

_GQL = re.compile(r"\bgql`([^`]*)`")


def ui_documents() -> dict[str, str]:
    """Each gql`...` document in the plugin's JavaScript, by its operation's name."""
    documents = {}
    for script in sorted((ROOT / "ui").glob("*.js")):
        for text in _GQL.findall(script.read_text(encoding="utf-8")):
            [operation] = [d for d in parse(text).definitions
                           if isinstance(d, OperationDefinitionNode)]
            assert operation.name is not None, f"an unnamed document in {script.name}"
            documents[operation.name.value] = text
    return documents
