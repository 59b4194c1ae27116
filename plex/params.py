"""An `Edit` as the query strings of Plex's edit and rating PUTs, encoded by plexapi itself.

`plexapi.utils.joinArgs` (what plexapi's own edit methods send through) sorts the keys
case-insensitively, leaves them unquoted and quotes every value with `safe=''`; a tag removal
value is itself a comma-joined list of individually quoted names, so it ends up quoted twice.
tests/test_params.py pins the bytes against plexapi's edit methods.
"""

from __future__ import annotations

from urllib.parse import quote

from plexapi.utils import joinArgs

from sync.edit import Edit

MOVIE_TYPE = 1
LIBRARY_IDENTIFIER = "com.plexapp.plugins.library"


def edit_params(edit: Edit) -> dict[str, str]:
    """The parameters of `PUT /library/sections/{section_id}/all`, unencoded."""
    params = {"type": str(MOVIE_TYPE), "id": _checked_key(edit.rating_key)}
    for field, value in edit.fields.items():
        params[f"{field}.value"] = value
    for kind, names in edit.tags.items():
        for i, name in enumerate(names):
            params[f"{kind}[{i}].tag.tag"] = name
    for i, actor in enumerate(edit.actors or []):
        params[f"actor[{i}].tag.tag"] = actor.tag
        if actor.role:
            params[f"actor[{i}].tagging.text"] = actor.role
        if actor.thumb:
            params[f"actor[{i}].tag.thumb"] = actor.thumb
    for kind, names in edit.remove.items():
        if names:
            # plexapi quotes each name with quote()'s default safe characters ('/').
            params[f"{kind}[].tag.tag-"] = ",".join(quote(name) for name in names)
    for name, locked in edit.locks.items():
        params[f"{name}.locked"] = "1" if locked else "0"
    return params


def edit_query(edit: Edit) -> str:
    """The query string (without '?') of the edit PUT; refuses an edit without an item id."""
    return joinArgs(edit_params(edit)).removeprefix("?")


def rate_query(rating_key: str, rating: float | None) -> str:
    """The query string of `PUT /:/rate`; None clears the rating (plexapi sends -1)."""
    if rating is not None and not 0 <= rating <= 10:
        raise ValueError(f"rating {rating} is not within 0..10")
    value = -1 if rating is None else rating
    return (
        f"key={quote(_checked_key(rating_key), safe='')}"
        f"&identifier={LIBRARY_IDENTIFIER}&rating={value}"
    )


def _checked_key(rating_key: str) -> str:
    # An edit PUT without an id edits every item of the section.
    key = str(rating_key).strip()
    if not key or not key.isascii() or not key.isdigit():
        raise ValueError(f"refusing an edit without a valid ratingKey: {rating_key!r}")
    return key
