"""PMS-style XML for each response, built as strings because pages of 2000 items must be fast."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from .item import Image, Item, Part
from .store import Section, Store

IDENTIFIER = "com.plexapp.plugins.library"
# Listings carry only the first few tags of a type, as PMS does; full items carry all.
LISTING_LIMITS = {"genre": 2, "collection": 2, "director": 1, "actor": 3, "label": 0}
_ELEMENT = {
    "genre": "Genre",
    "collection": "Collection",
    "label": "Label",
    "director": "Director",
    "actor": "Role",
}
# Newlines must be escaped to survive attribute normalisation; chars XML 1.0 forbids are dropped.
_ESCAPES = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "\n": "&#10;",
        "\r": "&#13;",
        "\t": "&#9;",
        **{chr(c): None for c in range(32) if c not in (9, 10, 13)},
    }
)
_NO_SUMMARY = ' summary=""'  # PMS always sends summary, empty when unset
_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n'


def esc(text: str) -> str:
    """Text made safe for a double-quoted XML attribute."""
    return text.translate(_ESCAPES)


def attrs(values: dict[str, Any]) -> str:
    """` name="value"` pairs for every value that is not None."""
    # Only text needs escaping; skipping numbers halves the cost of a 2000-item page.
    return "".join(
        f' {k}="{v.translate(_ESCAPES) if v.__class__ is str else v}"'
        for k, v in values.items()
        if v is not None
    )


def container(children: Iterable[str], **values: Any) -> str:
    body = "".join(children)
    return f"{_PROLOG}<MediaContainer{attrs(values)}>{body}</MediaContainer>\n"


def root(info: dict[str, Any]) -> str:
    return container(['<Directory count="1" key="library" title="library"/>'], size=1, **info)


def library() -> str:
    dirs = [
        '<Directory key="sections" title="Library Sections"/>',
        '<Directory key="recentlyAdded" title="Recently Added Content"/>',
        '<Directory key="onDeck" title="On Deck Content"/>',
    ]
    return container(
        dirs,
        size=3,
        allowSync=0,
        identifier=IDENTIFIER,
        title1="Plex Library",
        title2="",
        mediaTagPrefix="/system/bundle/media/flags/",
    )


def sections(all_sections: list[Section], scanning: set[int]) -> str:
    return container(
        (_section(s, s.key in scanning) for s in all_sections),
        size=len(all_sections),
        allowSync=0,
        title1="Plex Library",
    )


def _section(s: Section, refreshing: bool) -> str:
    head = attrs(
        {
            "allowSync": 1,
            "key": s.key,
            "type": s.type,
            "title": s.title,
            "agent": s.agent,
            "scanner": s.scanner,
            "language": s.language,
            "uuid": s.uuid,
            "refreshing": int(refreshing),
            "updatedAt": s.scanned_at or s.created_at,
            "createdAt": s.created_at,
            "scannedAt": s.scanned_at,
            "content": 1,
            "directory": 1,
        }
    )
    locations = "".join(
        f"<Location{attrs({'id': s.key * 100 + i, 'path': p})}/>" for i, p in enumerate(s.locations)
    )
    return f"<Directory{head}>{locations}</Directory>"


def listing(section: Section, items: list[Item], total: int, offset: int, store: Store) -> str:
    return container(
        (item(i, section, store, full=False) for i in items),
        size=len(items),
        totalSize=total,
        offset=offset,
        allowSync=1,
        identifier=IDENTIFIER,
        librarySectionID=section.key,
        librarySectionTitle=section.title,
        librarySectionUUID=section.uuid,
        mediaTagPrefix="/system/bundle/media/flags/",
        title1=section.title,
        title2="All Videos",
        viewGroup="movie",
    )


def metadata(items: list[tuple[Item, Section]], store: Store) -> str:
    return container(
        (item(i, s, store, full=True) for i, s in items),
        size=len(items),
        allowSync=1,
        identifier=IDENTIFIER,
        mediaTagPrefix="/system/bundle/media/flags/",
    )


def item(it: Item, section: Section, store: Store, *, full: bool) -> str:
    rk = it.rating_key
    # Fixed attributes need no escaping; writing them directly halves the cost of a page.
    head = (
        f'<Video ratingKey="{rk}" key="/library/metadata/{rk}" guid="local://{rk}"'
        f' type="movie" subtype="clip"{attrs(it.fields)}'
        f"{_NO_SUMMARY if it.fields['summary'] is None else ''}"
        f"{attrs({'thumb': it.thumb, 'art': it.art})}"
        f' addedAt="{it.added_at}" updatedAt="{it.updated_at}" librarySectionID="{section.key}"'
        f' librarySectionKey="/library/sections/{section.key}"'
        f' librarySectionTitle="{esc(section.title)}">'
    )
    parts = [_media(it.parts)]
    for kind, taggings in it.tags.items():
        shown = taggings if full else taggings[: LISTING_LIMITS[kind]]
        parts.extend(_tag(kind, t.tag, t.role, store) for t in shown)
    if full:
        parts.extend(f'<Field locked="1" name="{name}"/>' for name in sorted(it.locked))
    return f"{head}{''.join(parts)}</Video>"


def _media(parts: list[Part]) -> str:
    """One Media; a stacked item (part1/cd1 files) holds each file as a Part of it."""
    body = "".join(_part(p.id, p.file, p.size) for p in parts)
    return f'<Media id="{parts[0].id}" container="{_ext(parts[0].file)}">{body}</Media>'


def _part(part_id: int, file: str, size: int) -> str:
    ext = _ext(file)
    return (
        f'<Part id="{part_id}" key="/library/parts/{part_id}/file.{ext}" file="{esc(file)}"'
        f' size="{size}" container="{ext}"/>'
    )


def _ext(file: str) -> str:
    return esc(file.rsplit(".", 1)[-1].lower()) if "." in file else ""


def _tag(kind: str, name: str, role: str | None, store: Store) -> str:
    thumb = store.people.get(name.lower()) if kind == "actor" else None
    key = (kind, name, role, thumb)
    # Tags repeat across thousands of items; building each element once keeps pages fast.
    fragment = store.fragments.get(key)
    if fragment is None:
        ident = store.tag_id(kind, name)
        values: dict[str, Any] = {"id": ident, "filter": f"{kind}={ident}", "tag": name}
        if kind == "actor":
            values.update(tagKey=f"{ident:024x}", role=role, thumb=thumb)
        fragment = store.fragments[key] = f"<{_ELEMENT[kind]}{attrs(values)}/>"
    return fragment


def images(it: Item, kind: str) -> str:
    selected = it.selected[kind]
    return container(
        (_image(it.rating_key, i, i is selected) for i in it.images[kind]),
        size=len(it.images[kind]),
        identifier=IDENTIFIER,
        mediaTagPrefix="/system/bundle/media/flags/",
    )


def _image(rk: str, image: Image, selected: bool) -> str:
    key = f"/library/metadata/{rk}/file?url={quote(image.rating_key, safe='')}"
    values = {
        "key": key,
        "ratingKey": image.rating_key,
        "thumb": key,
        "selected": int(selected),
        "provider": "",
    }
    return f"<Photo{attrs(values)}/>"


def activities(scanning: list[Section]) -> str:
    return container((_activity(s) for s in scanning), size=len(scanning))


def _activity(s: Section) -> str:
    values = {
        "uuid": s.uuid,
        "type": "library.update.section",
        "cancellable": 1,
        "userID": 1,
        "title": f"Scanning {s.title}",
        "subtitle": "",
        "progress": 0,
    }
    return f'<Activity{attrs(values)}><Context librarySectionID="{s.key}"/></Activity>'
