"""A Stash scene as PlexSync reads it, validated leniently.

`Scene.from_stash` takes the dict Stash's GraphQL returns and never fails because of one bad
field: the field is dropped or cleaned and a note goes into `problems`. Only a scene without a
usable id is refused, because nothing can be keyed on it.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date as Date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import BaseModel, ConfigDict, field_validator

from validation import clean

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Timestamps are kept verbatim; anything longer than an RFC 3339 string is junk.
_MAX_TIMESTAMP = 64


class Performer(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    image_url: str | None = None


class SceneFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    size: int | None = None


class Scene(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: int
    title: str = ""
    details: str = ""
    date: str | None = None
    rating100: int | None = None
    organized: bool = False
    created_at: str | None = None
    updated_at: str | None = None
    studio: str | None = None
    performers: list[Performer] = []
    tags: list[str] = []
    groups: list[str] = []
    files: list[SceneFile] = []
    screenshot_url: str | None = None
    # (kind, Stash id) of the studio, performers, tags and groups: what the scene shows, for
    # the destroy hooks (sync_queue/shown.py). Names are what Plex gets; ids are not hashed.
    refs: list[tuple[str, int]] = []
    problems: list[str] = []

    @field_validator("date")
    @classmethod
    def _check_date(cls, value: str | None) -> str | None:
        if value is not None and not valid_date(value):
            raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        return value

    @field_validator("rating100")
    @classmethod
    def _check_rating(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 100:
            raise ValueError(f"rating100 {value} is not within 1..100")
        return value

    @classmethod
    def from_stash(cls, data: dict[str, Any]) -> Scene:
        if not isinstance(data, dict):
            raise ValueError("scene data is not an object")
        notes: list[str] = []
        return cls(
            id=_scene_id(data.get("id")),
            title=_clean(data.get("title"), "title", clean.TITLE_MAX, notes, multiline=False),
            details=_clean(data.get("details"), "details", clean.SUMMARY_MAX, notes,
                           multiline=True),
            date=_date(data.get("date"), notes),
            rating100=_rating(data.get("rating100"), notes),
            organized=_organized(data.get("organized"), notes),
            created_at=_timestamp(data, "created_at", notes),
            updated_at=_timestamp(data, "updated_at", notes),
            studio=_clean((_object(data.get("studio"), "studio", notes) or {}).get("name"),
                          "studio", clean.NAME_MAX, notes, multiline=False) or None,
            performers=_performers(data.get("performers"), notes),
            tags=_names(_items(data.get("tags"), "tags", notes), "tags", notes),
            groups=_groups(data.get("groups"), notes),
            files=_files(data.get("files"), notes),
            screenshot_url=_image_url((_object(data.get("paths"), "paths", notes) or {})
                                      .get("screenshot"), "screenshot", notes),
            refs=_refs(data),
            problems=notes,
        )

    def content_hash(self) -> str:
        """Hash of every value a sync reads; timestamps and notes are left out.

        The screenshot URL stays in: its cache-buster is the only sign of a new cover.
        """
        values = self.model_dump(exclude={"created_at", "updated_at", "refs", "problems"})
        encoded = json.dumps(values, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def valid_date(value: str) -> bool:
    """Stash's three date precisions, each a real calendar date."""
    found = _DATE.match(value)
    if not found:
        return False
    year, month, day = (int(part) if part else 1 for part in found.groups())
    try:
        Date(year, month, day)
    except ValueError:
        return False
    return True


def _show(value: Any) -> str:
    """A short, safe rendering of a rejected value for a note."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."


def _scene_id(value: Any) -> int:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ValueError(f"scene has no usable id: {_show(value)}")


def _clean(value: Any, field: str, limit: int, notes: list[str], *, multiline: bool) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        notes.append(f"{field}: expected text, got {_show(value)}; ignored")
        return ""
    stripped = clean.strip_controls(value, multiline=multiline).strip()
    if clean.has_controls(value):
        notes.append(f"{field}: removed control characters")
    if len(stripped) > limit:
        notes.append(f"{field}: shortened from {len(stripped)} to {limit} characters")
    return clean.cap(stripped, limit)


def _date(value: Any, notes: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and valid_date(value.strip()):
        return value.strip()
    notes.append(f"date: {_show(value)} is not a valid YYYY, YYYY-MM or YYYY-MM-DD; ignored")
    return None


def _rating(value: Any, notes: list[str]) -> int | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100:
        return value
    notes.append(f"rating100: {_show(value)} is not a whole number within 1..100; ignored")
    return None


def _organized(value: Any, notes: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    if value is not None:
        notes.append(f"organized: {_show(value)} is not true or false; taken as false")
    return False


def _timestamp(data: dict[str, Any], key: str, notes: list[str]) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str) and 0 < len(value) <= _MAX_TIMESTAMP and value.isprintable():
        return value
    notes.append(f"{key}: {_show(value)} is not a timestamp; ignored")
    return None


def _items(value: Any, field: str, notes: list[str]) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    notes.append(f"{field}: expected a list, got {_show(value)}; ignored")
    return []


def _name_of(item: Any) -> Any:
    return item.get("name") if isinstance(item, dict) else item


def _names(items: list[Any], field: str, notes: list[str]) -> list[str]:
    raw = []
    for item in items:
        name = _clean(_name_of(item), f"{field} name", clean.NAME_MAX, notes, multiline=False)
        if name:
            raw.append(name)
        else:
            notes.append(f"{field}: dropped an entry without a name")
    return clean.names(raw)


def _object(value: Any, field: str, notes: list[str]) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    notes.append(f"{field}: expected an object, got {_show(value)}; ignored")
    return None


def _image_url(value: Any, field: str, notes: list[str]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or urlsplit(value).scheme not in ("http", "https"):
        notes.append(f"{field}: not an http(s) URL; ignored")
        return None
    if not value.isprintable():
        notes.append(f"{field}: URL contains control characters; ignored")
        return None
    return value


def _performers(value: Any, notes: list[str]) -> list[Performer]:
    performers = []
    for item in _items(value, "performers", notes):
        data = item if isinstance(item, dict) else {}
        name = _clean(data.get("name"), "performer name", clean.NAME_MAX, notes, multiline=False)
        if not name:
            notes.append("performers: dropped an entry without a name")
            continue
        raw_id = data.get("id")
        image = _image_url(data.get("image_path"), "performer image", notes)
        # Stash marks its placeholder silhouette with default=true.
        if image and parse_qs(urlsplit(image).query).get("default") == ["true"]:
            image = None
        performers.append(
            Performer(id=str(raw_id) if raw_id is not None else "", name=name, image_url=image)
        )
    return performers


def _groups(value: Any, notes: list[str]) -> list[str]:
    entries = []
    for position, item in enumerate(_items(value, "groups", notes)):
        data = item if isinstance(item, dict) else {}
        index = data.get("scene_index")
        if not isinstance(index, int) or isinstance(index, bool):
            index = None
        entries.append((index is None, index or 0, position, data.get("group")))
    entries.sort(key=lambda entry: entry[:3])
    return _names([_name_of(entry[3]) for entry in entries], "groups", notes)


def _files(value: Any, notes: list[str]) -> list[SceneFile]:
    files = []
    for item in _items(value, "files", notes):
        data = item if isinstance(item, dict) else {}
        path = data.get("path")
        if not isinstance(path, str) or not path.strip():
            notes.append(f"files: dropped an entry without a path: {_show(path)}")
            continue
        files.append(SceneFile(path=path, size=_size(data.get("size"), notes)))
    return files


def _size(value: Any, notes: list[str]) -> int | None:
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)  # Int64 may arrive as a string
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if value is not None:
        notes.append(f"files: size {_show(value)} is not a byte count; ignored")
    return None


def _refs(data: dict[str, Any]) -> list[tuple[str, int]]:
    """Every usable object id the scene shows; malformed entries are left out (the fields
    themselves carry the notes)."""
    def items(key: str) -> list[Any]:
        value = data.get(key)
        return value if isinstance(value, list) else []

    found = [("studio", data.get("studio"))] + [("performer", p) for p in items("performers")]
    found += [("tag", t) for t in items("tags")]
    found += [("group", g.get("group") if isinstance(g, dict) else None) for g in items("groups")]
    ids = [(kind, str(item.get("id"))) for kind, item in found if isinstance(item, dict)]
    return list(dict.fromkeys((kind, int(i)) for kind, i in ids if i.isascii() and i.isdigit()))
