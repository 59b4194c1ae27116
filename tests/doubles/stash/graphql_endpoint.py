"""POST /graphql: decode, validate and run one request against the double's schema.

Status codes follow Stash's GraphQL server (gqlgen): 400 for an undecodable body, 422 when the
document does not parse or validate or its variables do not fit, 200 otherwise, resolver
errors included.

An older Stash (the double's `version`) validates against the schema of its release: what came
later is not there, so a query selecting it fails validation as it would on that Stash.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLFieldResolver,
    GraphQLSchema,
    build_schema,
    execute_sync,
    get_operation_ast,
    parse,
    validate,
)
from graphql.language import DocumentNode

from .resolvers import Root
from .traffic import Traffic

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
CURRENT = (0, 30, 1)
# What the double's schema holds that older Stash lacked, by the release that added it
# (stashapp/stash graphql/schema history: v0.27.0 "Add group graphql interfaces" #5017, v0.25.0
# "Movie select overhaul" #4563).
_ADDED = (
    ((0, 27, 0), re.compile(r"^  groups: \[SceneGroup!\]!\n", re.MULTILINE)),  # Scene.groups
    ((0, 25, 0), re.compile(r"^    ids: \[ID!\]\n", re.MULTILINE)),  # findScenes(ids:)
)
# A plugin run calls back into the double while it runs: its request must not hold the lock.
UNLOCKED_FIELDS = frozenset({"runPluginOperation", "runPluginTask"})


def release(version: str) -> tuple[int, int, int]:
    """(major, minor, patch) of a Stash version string such as "v0.26.2"."""
    match = re.match(r"v?(\d+)\.(\d+)\.(\d+)", version)
    if match is None:
        return CURRENT  # a build without a version: the newest schema
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


@lru_cache(maxsize=8)
def double_schema(stash_release: tuple[int, int, int] = CURRENT) -> GraphQLSchema:
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    for added_in, declaration in _ADDED:
        if stash_release < added_in:
            text, found = declaration.subn("", text)
            assert found == 1, declaration.pattern
    return build_schema(text)


def handle_graphql(body: bytes, root: Root, traffic: Traffic, lock: threading.RLock,
                   schema: GraphQLSchema | None = None,
                   field_resolver: GraphQLFieldResolver | None = None,
                   ) -> tuple[int, dict[str, Any]]:
    """Runs one request on `schema` (the double's own, current release, unless given)."""
    schema = schema or double_schema()
    try:
        request = json.loads(body)
        query = request["query"]
        variables = request.get("variables") or {}
        operation_name = request.get("operationName")
    except (ValueError, KeyError, TypeError):
        return 400, _errors("json request body could not be decoded", "BAD_REQUEST")
    traffic.count("graphql")
    traffic.record_query(query, variables)
    try:
        document = parse(query)
    except GraphQLError as error:
        return 422, {"errors": [_formatted(error, "GRAPHQL_PARSE_FAILED")]}
    problems = validate(schema, document)
    if problems:
        return 422, {"errors": [_formatted(e, "GRAPHQL_VALIDATION_FAILED") for e in problems]}
    fields = _root_fields(document, operation_name)
    traffic.count(*fields)
    # One lock around the whole execution gives every response a consistent view of the
    # library, like Stash's read transaction.
    with contextlib.nullcontext() if fields and set(fields) <= UNLOCKED_FIELDS else lock:
        result = execute_sync(schema, document, root_value=root, variable_values=variables,
                              operation_name=operation_name, field_resolver=field_resolver)
    errors = result.errors or []
    if result.data is None and errors and all(e.path is None for e in errors):
        return 422, {"errors": [_formatted(e, "GRAPHQL_VALIDATION_FAILED") for e in errors]}
    payload: dict[str, Any] = {"data": result.data}
    if errors:
        payload["errors"] = [e.formatted for e in errors]
    return 200, payload


def _root_fields(document: DocumentNode, operation_name: str | None) -> list[str]:
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []
    return [s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)]


def _formatted(error: GraphQLError, code: str) -> dict[str, Any]:
    formatted = dict(error.formatted)
    formatted["extensions"] = {"code": code}
    return formatted


def _errors(message: str, code: str) -> dict[str, Any]:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}
