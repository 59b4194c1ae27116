"""What a section listing (`GET /library/sections/{id}/all`) hands out: date filters, sort order,
and whether it is a count only.

How Plex takes a date filter, from the sources that build or measured it:

- pkkid/python-plexapi `plexapi/library.py`: `_validateFieldOperator` turns the operator `>>`
  into Plex's operator key `>>=`, and `_validateFilterField` sends it as the parameter
  `field + operator[:-1]`, i.e. `addedAt>>=<value>`; `_validateFieldValueDate` makes the value
  Unix seconds (`int(datetime.timestamp())`). Its `search()` docstring: for a date field `<<` is
  "is before" and `>>` "is after".
- Kometa-Team/Kometa `modules/plex.py` `modifier_translation`: `.after` and `.gt` send `>>`,
  `.gte` sends `>`, so `>>` is the strict comparison ("after", not "at or after").
- A filter Plex does not know is ignored: the answer is HTTP 200 with the whole section
  (reference plex-api.md §3 on `?file=`; measured on a real server for `updatedAt>=` as a key,
  bench/issue15-perf.md §3.2). Whether every Plex version honours `addedAt>>` is not settled,
  so the double can ignore date filters too (`Store.ignores_date_filters`, off by default).
- The count only: `X-Plex-Container-Start=0` + `X-Plex-Container-Size=0` answers a container
  whose `totalSize` is the number of matching items and holds none (python-plexapi
  `LibrarySection.totalViewSize`, and `_loadFilters` asking `.../all?...&X-Plex-Container-Size=0`).
  The count honours the same filters.
- Sort: plexapi sends `sort=<field>[:asc|:desc]` (`_validateSortField`); the double knows
  `addedAt` and lists in the order items were added otherwise, as for an unsorted listing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

from .item import Item

# Plex's date fields a listing can be filtered on, as the double stores them.
DATE_FIELDS: dict[str, Callable[[Item], int]] = {
    "addedAt": lambda item: item.added_at,
    "updatedAt": lambda item: item.updated_at,
}
_FILTER = re.compile(r"^(addedAt|updatedAt)(>>|<<)$")


class DateFilter(NamedTuple):
    field: str
    operator: str  # ">>" is after, "<<" is before; both strict
    value: int

    def keeps(self, item: Item) -> bool:
        stamp = DATE_FIELDS[self.field](item)
        return stamp > self.value if self.operator == ">>" else stamp < self.value


def date_filters(params: list[tuple[str, str]]) -> list[DateFilter]:
    """The date filters of a listing's parameters (several are ANDed); raises ValueError for a
    value that is not Unix seconds, as the double answers 400 for malformed numbers."""
    found = []
    for key, value in params:
        if (m := _FILTER.match(key)) is not None:
            found.append(DateFilter(m[1], m[2], int(value)))
    return found


def sort_key(sort: str | None) -> tuple[Callable[[Item], int], bool] | None:
    """(key, descending) for a sort the double knows; None lists in the order of adding."""
    field, _, direction = (sort or "").partition(":")
    field = field.rpartition(".")[2]  # plexapi may prefix the libtype: movie.addedAt
    if field not in DATE_FIELDS:
        return None
    return DATE_FIELDS[field], direction == "desc"
