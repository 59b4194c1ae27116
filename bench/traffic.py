"""What the plugin asked of each double during one run, read from the doubles' own counters."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble

PLEX_WRITES = ("edit", "rate")  # changes to an item's metadata
PLEX_UPLOADS = ("upload_poster", "upload_art")
PLEX_LISTINGS = ("listing",)  # paged section listings (the path index)
STASH_IMAGES = ("screenshot", "performer_image", "studio_image", "group_image")


@dataclass(frozen=True)
class Traffic:
    plex: dict[str, int]  # requests by kind (the double's route names)
    stash_graphql: int
    stash_images: int
    stash_fields: dict[str, int]  # GraphQL root fields asked for, e.g. findScenes

    @property
    def plex_total(self) -> int:
        return sum(self.plex.values())

    def plex_of(self, kinds: tuple[str, ...]) -> int:
        return sum(self.plex.get(kind, 0) for kind in kinds)

    @property
    def plex_writes(self) -> int:
        return self.plex_of(PLEX_WRITES)

    @property
    def plex_uploads(self) -> int:
        return self.plex_of(PLEX_UPLOADS)

    @property
    def plex_listings(self) -> int:
        return self.plex_of(PLEX_LISTINGS)

    @property
    def stash_total(self) -> int:
        return self.stash_graphql + self.stash_images

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "plex_total": self.plex_total, "plex_writes": self.plex_writes,
                "plex_uploads": self.plex_uploads, "plex_listings": self.plex_listings,
                "stash_total": self.stash_total}


def reset(stash: StashDouble, plex: PlexDouble) -> None:
    stash.reset_counts()
    plex.reset_counts()


def read(stash: StashDouble, plex: PlexDouble) -> Traffic:
    counts = stash.counts
    images = {kind: counts.get(kind, 0) for kind in STASH_IMAGES}
    fields = {k: v for k, v in counts.items()
              if k not in images and k not in ("graphql", "rejected")}
    return Traffic(dict(plex.counts), counts.get("graphql", 0), sum(images.values()), fields)
