"""A deterministic sample library held by both doubles: curated in Stash, bare in Plex.

Plex holds the same files under its own prefix, titled the way Plex titles an unmatched clip
(the file stem) and without metadata, as right after a library scan: everything a sync should
write is visible as a difference. Building is O(n) with a fixed amount of work per scene, so the
benchmark can ask for 100,000 scenes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .plex import PlexDouble
from .stash import StashDouble, tiny_png

_FIRST = ("Velvet", "Sunset", "Harbour", "Café", "Midnight", "Aurora", "Crème", "Summit", "Neon",
          "Jasmine", "Échelle", "Copper", "Lagoon", "Golden", "Quiet", "Scarlet")
_SECOND = ("Pictures", "Studios", "Films", "Media", "Works", "Collective", "House", "Lab")
_GIVEN = ("Jane", "Zoë", "José", "Ana-Lucía", "Mika", "Noor", "Björn", "Léa", "Sam", "Ines",
          "Kai", "Rosa", "Yuki", "Elif", "Tomás", "Ada")
_FAMILY = ("Doe", "Roe", "Ørsted", "García", "Nakamura", "O'Brien", "Dubois", "Kowalski",
           "Smith", "Müller", "Silva", "Novák")
_TAGS = ("Outdoor", "Beach", "Interview", "Behind the Scenes", "4K", "Café", "Night", "Solo",
         "Couple", "Vintage", "Rain", "City", "Forest", "Pool", "Studio", "Cosplay")
_GROUPS = ("Summer Series", "Winter Tales", "The Road Trip", "Élan Vol.", "Night Shift")
_DETAILS = (
    None,
    "A short scene.",
    'First paragraph.\n\nSecond paragraph, with "straight quotes", “curly quotes” and it’s.',
    "Tournage à Montréal : crème brûlée, naïve façade, Æsir and Ørsted.",
    "Golden hour 🎬🌅✨ and a 👩‍🎤 (a joined emoji).",
    "Line one\nline two & an ampersand, <angle brackets> and a backslash \\ too.",
    "Ελληνικά, русский, 日本語: three scripts in one summary.",
)
_EXTENSIONS = (".mp4", ".mkv", ".mp4", ".wmv", ".mov")
_RATINGS = (20, 40, 55, 60, 80, 87, 100)
_COVER_POOL = 64  # distinct covers; enough that neighbours differ, cheap at 100,000 scenes
_DRIVE = re.compile(r"^[A-Za-z]:")
T = TypeVar("T")


@dataclass
class Sample:
    """What build_sample put where; assert against stash.scene(id) and plex.item(rk)."""

    scene_ids: list[int]
    rating_keys: dict[int, list[str]]  # scene id -> Plex item per file ([] when not in Plex)
    path_map: str  # the plugin's path_map setting ("" when both sides use the same prefix)
    section_id: int
    two_file_scene: int | None = None
    coverless_scene: int | None = None
    missing: list[int] = field(default_factory=list)

    def synced_ids(self) -> list[int]:
        """Scenes that have a Plex item, i.e. those a sync can write."""
        return [sid for sid in self.scene_ids if self.rating_keys[sid]]


@dataclass(frozen=True)
class _Pools:
    studios: list[int]
    performers: list[int]
    tags: list[int]
    groups: list[int]
    folders: dict[int | None, str]


def build_sample(stash: StashDouble, plex: PlexDouble, n: int = 25, *, seed: int = 0,
                 stash_prefix: str = "/data/stash", plex_prefix: str = "/media/plex",
                 section_title: str = "Scenes", covers: bool = True, missing: int = 0) -> Sample:
    """Fill both doubles with n scenes; the last `missing` scenes get no Plex item."""
    if not 0 <= missing <= n:
        raise ValueError(f"missing must be between 0 and n={n}")
    rng = random.Random(seed)
    pools = _pools(stash, rng, n)
    cover_pool = [tiny_png((seed, k)) for k in range(min(n, _COVER_POOL))] if covers else []
    section_id = plex.add_section(section_title, [plex_prefix])
    sample = Sample([], {}, "" if stash_prefix == plex_prefix else f"{stash_prefix}={plex_prefix}",
                    section_id)
    for i in range(n):
        metadata = _metadata(rng, i, pools)
        files = _files(rng, i, pools.folders[metadata["studio"]], stash_prefix)
        cover = cover_pool[i % len(cover_pool)] if cover_pool and i != 2 else None
        scene_id = stash.add_scene(files=files, cover=cover, **metadata)
        sample.scene_ids.append(scene_id)
        if i >= n - missing:
            sample.missing.append(scene_id)
            sample.rating_keys[scene_id] = []
            continue
        sample.rating_keys[scene_id] = [
            plex.add_item(section_id, file=_rebase(path, stash_prefix, plex_prefix), size=size)
            for path, size, _duration in files
        ]
    if n > 1:
        sample.two_file_scene = sample.scene_ids[1]
    if n > 2 and covers:
        sample.coverless_scene = sample.scene_ids[2]
    return sample


# --- Stash's objects ---------------------------------------------------------------------------

def _pools(stash: StashDouble, rng: random.Random, n: int) -> _Pools:
    """Studios, performers, tags and groups, growing slowly with n (a real library reuses them)."""
    networks = [stash.add_studio(f"{_pick(_FIRST, i)} Network", image=tiny_png(("net", i)))
                for i in range(min(3, 1 + n // 10))]
    studios = list(networks)
    for i in range(min(500, 4 + n // 20)):
        parent = networks[i % len(networks)] if i % 2 == 0 else None
        image = tiny_png(("studio", i)) if i % 3 == 0 else None
        studios.append(stash.add_studio(_combined(_FIRST, _SECOND, i), parent=parent, image=image))
    performers = [
        stash.add_performer(_combined(_GIVEN, _FAMILY, i),
                            image=tiny_png(("performer", i)) if i % 2 == 0 else None,
                            disambiguation="2010s" if i % 7 == 3 else None)
        for i in range(min(5000, 8 + n // 4))
    ]
    tags = [stash.add_tag(_numbered(_TAGS, i)) for i in range(min(300, 10 + n // 50))]
    groups = [stash.add_group(_numbered(_GROUPS, i), image=tiny_png(("group", i)) if i else None)
              for i in range(min(200, 2 + n // 100))]
    folders: dict[int | None, str] = {sid: f"studio-{k:03d}" for k, sid in enumerate(studios)}
    folders[None] = "unsorted"
    return _Pools(studios, performers, tags, groups, folders)


def _metadata(rng: random.Random, i: int, pools: _Pools) -> dict:
    studio = None if i % 9 == 8 else _draw(rng, pools.studios)
    in_group = i % 5 == 0
    return {
        "title": f"{_pick(_FIRST, i // 3)} {_pick(_TAGS, i)} {i + 1}",
        "details": _DETAILS[i % len(_DETAILS)],
        "date": _date(rng, i),
        "rating100": None if i % 3 == 1 else _draw(rng, _RATINGS),
        "organized": i % 2 == 0,
        "studio": studio,
        "performers": _some(rng, pools.performers, (0, 1, 1, 2, 2, 3)),
        "tags": _some(rng, pools.tags, (0, 1, 2, 3, 4)),
        "groups": [(_draw(rng, pools.groups), i // 5 + 1)] if in_group else [],
        "urls": [f"https://example.com/scenes/{i + 1}"] if i % 4 == 0 else [],
        "code": f"SC-{i + 1:05d}" if i % 6 == 0 else None,
        "director": "Ann Director" if i % 8 == 0 else None,
    }


def _date(rng: random.Random, i: int) -> str | None:
    """Stash allows YYYY, YYYY-MM and YYYY-MM-DD; a few scenes have no date."""
    if i % 7 == 6:
        return None
    days = int(rng.random() * 20 * 12 * 28)
    year, month, day = 2005 + days // 336, days // 28 % 12 + 1, days % 28 + 1
    return (f"{year}-{month:02d}-{day:02d}", f"{year}-{month:02d}", f"{year}")[i % 3]


# random.choice and random.sample cost several calls each; one random() per draw keeps a
# 100,000-scene build quick.
def _draw(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _some(rng: random.Random, pool: list[int], counts: Sequence[int]) -> list[int]:
    """A few distinct ids (a repeated draw just makes the list shorter)."""
    return list(dict.fromkeys(_draw(rng, pool) for _ in range(_draw(rng, counts))))


# --- files ---------------------------------------------------------------------------------------

def _files(rng: random.Random, i: int, folder: str,
           prefix: str) -> list[tuple[str, int, float]]:
    """(path, size, duration) of scene i; scene 1 has a second file, as a re-encode would."""
    stem = f"{folder}.{_pick(_FIRST, i).lower()}.{i + 1:06d}"
    ext = _EXTENSIONS[i % len(_EXTENSIONS)]
    size = 50_000_000 + int(rng.random() * 3_950_000_000)
    first = (_join(prefix, folder, stem + ext), size, float(120 + int(rng.random() * 3480)))
    if i != 1:
        return [first]
    second = (_join(prefix, folder, f"{stem} (1080p).mkv"), first[1] // 3, first[2])
    return [first, second]


def _windows(prefix: str) -> bool:
    return bool(_DRIVE.match(prefix)) or prefix.startswith("\\\\") or (
        "\\" in prefix and "/" not in prefix)


def _join(prefix: str, *parts: str) -> str:
    sep = "\\" if _windows(prefix) else "/"
    return prefix.rstrip("\\/") + sep + sep.join(parts)


def _rebase(path: str, old_prefix: str, new_prefix: str) -> str:
    """The same file as seen under another prefix, in that prefix's separator style."""
    rest = path[len(old_prefix.rstrip("\\/")):].replace("\\", "/").strip("/")
    return _join(new_prefix, *rest.split("/"))


# --- names ---------------------------------------------------------------------------------

def _pick(words: Sequence[str], i: int) -> str:
    return words[i % len(words)]


def _combined(first: Sequence[str], second: Sequence[str], i: int) -> str:
    """Unique for every i: all pairs first, then pairs with a number."""
    pairs = len(first) * len(second)
    name = f"{first[i % len(first)]} {second[(i // len(first)) % len(second)]}"
    return name if i < pairs else f"{name} {i // pairs + 1}"


def _numbered(words: Sequence[str], i: int) -> str:
    return words[i] if i < len(words) else f"{words[i % len(words)]} {i // len(words) + 1}"
