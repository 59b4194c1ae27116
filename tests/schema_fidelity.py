"""Holding GraphQL against the real Stash schema kept beside the repository.

The real schema lives in `<repo>/../shared/stash-schema/graphql/schema` (AGPL data, never
copied into the project). Where it is absent, fidelity checks skip with a clear reason (and
fail in CI, which has it: tests/ci.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    is_required_argument,
    is_required_input_field,
    is_specified_scalar_type,
    parse,
    validate,
)

from tests.ci import cannot_run

# One loader for the double's UI mode and these checks (the folder, the cache, the reason).
from tests.doubles.stash.full_schema import SCHEMA_MISSING, real_schema


def require_real_schema() -> GraphQLSchema:
    """The real schema, or skip the calling test (fail it in CI)."""
    schema = real_schema()
    if schema is None:
        cannot_run(SCHEMA_MISSING)
    return schema


def assert_valid_against_real_schema(query: str) -> None:
    """Fails with every validation error Stash would report for `query`; skips without the
    real schema."""
    errors = validate(require_real_schema(), parse(query))
    if errors:
        listing = "\n".join(f"- {e.message}" for e in errors)
        raise AssertionError(f"query is not valid for real Stash:\n{listing}\n---\n{query}")


def assert_recorded_queries_valid(queries: Iterable[tuple[str, Any]]) -> None:
    """Checks each distinct document of (query, variables) pairs, e.g. StashDouble.queries."""
    for query in dict.fromkeys(text for text, _variables in queries):
        assert_valid_against_real_schema(query)


def subset_mismatches(subset: GraphQLSchema, full: GraphQLSchema) -> list[str]:
    """Every way `subset` declares something `full` does not have exactly alike: types,
    fields, arguments, input fields and enum values, with identical type strings; plus
    required arguments and input fields of `full` that `subset` leaves out."""
    problems = _root_mismatches(subset, full)
    for name, declared in subset.type_map.items():
        if name.startswith("__") or is_specified_scalar_type(declared):
            continue
        real = full.type_map.get(name)
        if real is None:
            problems.append(f"type {name} does not exist")
        elif type(real) is not type(declared):
            problems.append(f"type {name} is a {type(real).__name__} in Stash")
        else:
            problems.extend(_type_mismatches(name, declared, real))
    return problems


def _root_mismatches(subset: GraphQLSchema, full: GraphQLSchema) -> list[str]:
    problems = []
    for kind in ("query_type", "mutation_type", "subscription_type"):
        declared, real = getattr(subset, kind), getattr(full, kind)
        if declared is not None and (real is None or real.name != declared.name):
            problems.append(f"root {kind} {declared.name} differs from Stash")
    return problems


def _type_mismatches(name: str, declared: Any, real: Any) -> list[str]:
    if isinstance(declared, (GraphQLObjectType, GraphQLInterfaceType)):
        return _field_mismatches(name, declared, real)
    if isinstance(declared, GraphQLInputObjectType):
        return _input_field_mismatches(name, declared.fields, real.fields)
    if isinstance(declared, GraphQLEnumType):
        return [f"enum value {name}.{v} does not exist"
                for v in declared.values if v not in real.values]
    return []


def _field_mismatches(name: str, declared: Any, real: Any) -> list[str]:
    problems = []
    for field_name, field in declared.fields.items():
        where = f"{name}.{field_name}"
        real_field = real.fields.get(field_name)
        if real_field is None:
            problems.append(f"field {where} does not exist")
            continue
        if str(field.type) != str(real_field.type):
            problems.append(f"field {where} is {real_field.type} in Stash, not {field.type}")
        problems.extend(_argument_mismatches(where, field.args, real_field.args))
    return problems


def _argument_mismatches(where: str, declared: dict, real: dict) -> list[str]:
    problems = []
    for arg_name, arg in declared.items():
        if arg_name not in real:
            problems.append(f"argument {where}({arg_name}) does not exist")
        elif str(arg.type) != str(real[arg_name].type):
            problems.append(f"argument {where}({arg_name}) is {real[arg_name].type} in Stash")
    problems.extend(f"required argument {where}({arg_name}) is missing"
                    for arg_name, arg in real.items()
                    if is_required_argument(arg) and arg_name not in declared)
    return problems


def _input_field_mismatches(name: str, declared: dict, real: dict) -> list[str]:
    problems = []
    for field_name, field in declared.items():
        if field_name not in real:
            problems.append(f"input field {name}.{field_name} does not exist")
        elif str(field.type) != str(real[field_name].type):
            problems.append(f"input field {name}.{field_name} is {real[field_name].type}")
    problems.extend(f"required input field {name}.{field_name} is missing"
                    for field_name, field in real.items()
                    if is_required_input_field(field) and field_name not in declared)
    return problems

