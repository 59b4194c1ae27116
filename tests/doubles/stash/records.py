"""What the double's store holds: immutable records, replaced whole on every edit.

Replacing instead of mutating lets a GraphQL response or a snapshot keep a consistent view of
an object while another thread edits it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Studio:
    id: int
    name: str
    parent: int | None
    image: bytes | None
    updated_at: str


@dataclass(frozen=True)
class Performer:
    id: int
    name: str
    disambiguation: str | None
    image: bytes | None
    updated_at: str


@dataclass(frozen=True)
class Tag:
    id: int
    name: str
    updated_at: str


@dataclass(frozen=True)
class Group:
    id: int
    name: str
    image: bytes | None
    updated_at: str


@dataclass(frozen=True)
class VideoFile:
    id: int
    path: str
    size: int
    duration: float

    @property
    def basename(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Scene:
    id: int
    title: str | None
    details: str | None
    date: str | None
    rating100: int | None
    organized: bool
    studio: int | None
    performers: tuple[int, ...]
    tags: tuple[int, ...]
    groups: tuple[tuple[int, int | None], ...]
    files: tuple[VideoFile, ...]
    urls: tuple[str, ...]
    code: str | None
    director: str | None
    cover: bytes | None
    created_at: str
    updated_at: str

    def snapshot(self) -> dict:
        """Plain-data copy for tests: ids stay ints, tuples become lists."""
        data = asdict(self)
        data["performers"] = list(self.performers)
        data["tags"] = list(self.tags)
        data["groups"] = [list(pair) for pair in self.groups]
        data["urls"] = list(self.urls)
        data["files"] = [
            {"id": f.id, "path": f.path, "basename": f.basename, "size": f.size,
             "duration": f.duration}
            for f in self.files
        ]
        return data

