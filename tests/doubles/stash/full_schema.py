"""UI mode's GraphQL: Stash's full schema, read from ../shared/stash-schema at run time.

Stash's web UI asks for far more than the double models. Every field the double does not model
is answered with a type-correct default: null where the schema allows it, otherwise an empty
list, an empty object (whose fields default in turn), zero, false, "" or the enum's first value.
What the double does model (its store, plugins, jobs) is read the usual way: a mapping key or an
attribute, called with the field's arguments when it is a method.
"""

from __future__ import annotations

import inspect
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    is_abstract_type,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
REAL_SCHEMA_DIR = REPO_ROOT.parent / "shared" / "stash-schema" / "graphql" / "schema"
SCHEMA_MISSING = ("../shared/stash-schema not found: the full Stash schema (UI mode, fidelity "
                  "tests) must lie beside the repository")
EPOCH = "1970-01-01T00:00:00Z"
SCALAR_DEFAULTS: dict[str, Any] = {
    "Int": 0, "Float": 0.0, "String": "", "Boolean": False, "ID": "0", "Int64": 0,
    "Time": EPOCH, "Timestamp": EPOCH, "Map": {}, "BoolMap": {}, "PluginConfigMap": {},
    "Any": {},
}
_MISSING = object()


def load_schema(directory: Path) -> GraphQLSchema | None:
    """A schema built from every .graphql file under directory; None when there is none."""
    files = sorted(directory.rglob("*.graphql")) if directory.is_dir() else []
    if not files:
        return None
    return build_schema("\n".join(f.read_text(encoding="utf-8") for f in files))


@lru_cache(maxsize=1)
def real_schema() -> GraphQLSchema | None:
    """Stash's full schema, or None when ../shared/stash-schema is absent."""
    return load_schema(REAL_SCHEMA_DIR)


def require_full_schema() -> GraphQLSchema:
    schema = real_schema()
    if schema is None:
        raise FileNotFoundError(SCHEMA_MISSING)
    return schema


def resolve_or_default(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    """graphql-core field resolver: the modelled value, else a default of the field's type."""
    value = _lookup(source, info.field_name)
    if value is _MISSING:
        return default_value(info.return_type)
    if callable(value):
        return _call(value, info, args)
    return value


def default_value(field_type: GraphQLOutputType) -> Any:
    if not isinstance(field_type, GraphQLNonNull):
        return None
    inner = field_type.of_type
    if isinstance(inner, GraphQLList):
        return []
    if isinstance(inner, GraphQLScalarType):
        default = SCALAR_DEFAULTS.get(inner.name)
        return default.copy() if isinstance(default, dict) else default
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLObjectType):
        return {}
    if is_abstract_type(inner):
        return {"__typename": _first_possible_type(inner)}
    return None


def _first_possible_type(abstract: Any) -> str:
    schema = require_full_schema()
    return schema.get_possible_types(abstract)[0].name


def _lookup(source: Any, name: str) -> Any:
    if source is None:
        return _MISSING
    if isinstance(source, dict):
        return source.get(name, _MISSING)
    try:
        return getattr(source, name)
    except AttributeError:
        return _MISSING


def _call(method: Any, info: GraphQLResolveInfo, args: dict[str, Any]) -> Any:
    """Passes only the arguments the method declares: the UI sends many the double ignores."""
    params = inspect.signature(method).parameters
    if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
        args = {k: v for k, v in args.items() if k in params}
    return method(info, **args)
