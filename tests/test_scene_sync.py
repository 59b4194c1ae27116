"""The writer's record of images: only what Plex got counts as uploaded (pure, no servers)."""

from __future__ import annotations

import hashlib

from stash.errors import ImageUnavailable
from sync.edit import Edit
from sync.item import PlexItem
from sync.ownership import Owned
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker.write import plan_items, write_items

SHOT = "http://stash:9999/scene/42/screenshot?t=1700000000"
CONFIG = PlexSyncConfig(plex_url="http://127.0.0.1:32400", plex_token="token")
COVER = b"\x89PNG a cover"


class Pictures:
    """Stash's picture route: a cover, its placeholder (None), or a failure."""

    def __init__(self, answer: bytes | None | Exception) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def image(self, url: str) -> bytes | None:
        self.asked.append(url)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Plex:
    def __init__(self) -> None:
        self.uploads: list[tuple[str, str]] = []
        self.edits: list[Edit] = []

    def edit(self, edit: Edit) -> list[str]:
        self.edits.append(edit)
        return []

    def rate(self, rating_key: str, rating: float | None) -> None:
        raise AssertionError("no rating in these tests")

    def upload(self, rating_key: str, kind: str, data: bytes) -> None:
        self.uploads.append((rating_key, kind))


def _scene() -> Scene:
    return Scene.from_stash({"id": "42", "title": "T", "paths": {"screenshot": SHOT},
                             "files": [{"path": "/a/x.mp4"}]})


def _item() -> PlexItem:
    return PlexItem("101", 3, {"title": "x"}, {}, [], frozenset(), ["/a/x.mp4"])


def _write(answer: bytes | None | Exception, written: dict | None = None):
    stash, plex = Pictures(answer), Plex()
    edits = plan_items(_scene(), [_item()], {"101": Owned.read(written)}, CONFIG)
    result = write_items(_scene(), edits, CONFIG, stash, plex)  # type: ignore[arg-type]
    return result, plex, result.written["101"].images["poster"].to_json()


def test_an_uploaded_cover_is_recorded_with_its_url_and_hash() -> None:
    result, plex, slot = _write(COVER)
    assert plex.uploads == [("101", "poster")]
    assert slot == {"url": SHOT, "hash": hashlib.sha1(COVER).hexdigest()}
    assert result.placeholders == [] and result.image_errors == []


def test_the_placeholder_is_noted_as_missing_never_as_the_uploaded_image() -> None:
    result, plex, slot = _write(None, {"images": {"poster": {"url": "old", "hash": "h"}}})
    assert plex.uploads == [] and result.placeholders == ["poster"]
    assert slot == {"url": None, "hash": "h", "missing": SHOT}
    assert "thumb" not in plex.edits[0].locks  # nothing uploaded, nothing to lock


def test_a_cover_that_cannot_be_had_leaves_no_trace_and_the_rest_is_written() -> None:
    failure = ImageUnavailable("Stash asked for a login for /scene/42/screenshot?t=1700000000")
    result, plex, slot = _write(failure)
    assert result.image_errors == [str(failure)] and plex.uploads == []
    assert slot == {"url": None, "hash": None}
    assert plex.edits[0].fields == {"title": "T"}
