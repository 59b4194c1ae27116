"""Splitting one scene's edit into PUTs under a conservative size: pure, checked against the
Plex double's own edit grammar under both tag semantics (replace and append)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from plex.chunks import MAX_TARGET, chunks, fits, merge, target
from sync.edit import UNSET, Edit
from sync.item import Actor
from sync.ownership import Owned
from tests.doubles.plex.edits import parse_edit
from tests.doubles.plex.item import Item, Part, apply_plan, snapshot


def _edit(tags: int = 0, removals: int = 0, actors: int = 0, photos: bool = False,
          summary: str = "A summary.") -> Edit:
    return Edit(
        rating_key="4242", section_id=3,
        fields={"title": "A scene", "summary": summary, "studio": "Studio & Co"},
        tags={"genre": [f"Genre number {i} & more" for i in range(tags)],
              "collection": ["Studio & Co"]},
        remove={"genre": [f"Old genre {i}, with a comma" for i in range(removals)],
                "actor": [f"Former Actor {i}" for i in range(removals // 2)]},
        actors=[Actor(f"Performer Name {i}", "",
                      f"http://192.168.1.5:9999/performer/{i}/image?t=1700000000"
                      if photos else "") for i in range(actors)],
        locks={"title": True, "summary": True, "studio": True, "genre": True,
               "collection": True, "actor": True, "thumb": True},
        rating=UNSET, images=[], written=Owned(), skipped=[])


def _apply(edits: list[Edit], replace: bool) -> dict:
    """What an item holds after the PUTs, by the double's parser and semantics."""
    item = Item("4242", 3, [Part(1, "/data/a.mp4", 1)], 0)
    people: dict[str, str] = {}
    seed = [("genre[0].tag.tag", "Old genre 0, with a comma"), ("genre[1].tag.tag", "Keep"),
            ("actor[0].tag.tag", "Former Actor 0")]
    apply_plan(item, parse_edit(seed), replace=True, people=people)
    for edit in edits:
        pairs = parse_qsl(urlsplit(target(edit)).query, keep_blank_values=True)
        apply_plan(item, parse_edit(pairs), replace=replace, people=people)
    return snapshot(item, people)


def test_an_edit_that_fits_is_one_put_of_itself() -> None:
    edit = _edit(tags=10, removals=4, actors=5)
    assert fits(edit)
    (group,) = chunks(edit)
    assert merge(edit, [part for _, part in group]) == edit


@pytest.mark.parametrize(("photos", "most"), [(False, 3), (True, 8)])
@pytest.mark.parametrize("replace", [True, False], ids=["replace", "append"])
def test_a_large_edit_splits_under_the_limit_and_writes_the_same(photos: bool, most: int,
                                                                 replace: bool) -> None:
    edit = _edit(tags=90, removals=90, actors=90, photos=photos)
    assert len(target(edit)) > 10_000  # the single PUT issue 12 describes
    groups = chunks(edit)
    puts = [merge(edit, [part for _, part in group]) for group in groups]
    assert 1 < len(puts) <= most
    assert all(fits(put) for put in puts), [len(target(put)) for put in puts]
    assert _apply(puts, replace) == _apply([edit], replace)
    # Each PUT names every actor it carries (a later one may replace the list).
    assert {len(put.actors) for put in puts if put.actors is not None} == {90}


def test_a_complete_tag_list_is_never_split() -> None:
    """A later PUT could replace it with its part: a list too long for the limit goes alone,
    whole (and is skipped with a warning if refused)."""
    edit = _edit(tags=150)
    groups = chunks(edit)
    over = [group for group in groups if not fits(merge(edit, [p for _, p in group]))]
    assert [[name for name, _ in group] for group in over] == [["genre"]]
    assert over[0][0][1].tags["genre"] == edit.tags["genre"]


def test_one_value_too_long_for_any_put_goes_alone() -> None:
    edit = _edit(tags=5, summary="x" * (MAX_TARGET + 100))
    groups = chunks(edit)
    alone = [group for group in groups if any(name == "summary" for name, _ in group)]
    assert [[name for name, _ in group] for group in alone] == [["summary"]]
    others = [merge(edit, [p for _, p in group]) for group in groups if group not in alone]
    assert all(fits(put) for put in others)
