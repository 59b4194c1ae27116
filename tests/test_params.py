"""The edit query must be exactly what plexapi's own edit methods would send.

plexapi objects are built from XML without a server; in batch mode their edit methods only
collect parameters, which plexapi's `joinArgs` then encodes as `LibrarySection._edit` does.
"""

import xml.etree.ElementTree as ET
from urllib.parse import parse_qsl, unquote

import pytest
from plexapi import utils
from plexapi.video import Movie

from plex.params import edit_params, edit_query, rate_query
from sync.edit import UNSET, Edit
from sync.item import Actor
from sync.ownership import Owned

AWKWARD = ["A & B", "x,y", "50% off", "a/b", "Caf\u00e9 \U0001f468\u200d\U0001f469", "q=1?"]


def make_edit(**changes) -> Edit:
    values = dict(
        rating_key="101", section_id=3, fields={}, tags={}, remove={}, actors=None, locks={},
        rating=UNSET, images=[], written=Owned(), skipped=[],
    )
    values.update(changes)
    return Edit(**values)


def batch_movie() -> Movie:
    movie = Movie(None, ET.fromstring('<Video ratingKey="101" type="movie" title="t"/>'))
    movie._autoReload = False  # no server: nothing may be fetched
    movie.batchEdits()
    return movie


def plexapi_query(movie: Movie) -> str:
    return utils.joinArgs({**movie._edits, "type": 1, "id": "101"}).removeprefix("?")


def test_fields_and_locks_match_plexapi():
    edit = make_edit(
        fields={"title": "New / T&itle", "summary": "Para.\n\nPara \u201c2\u201d",
                "originallyAvailableAt": "2024-03-05", "studio": ""},
        locks={"title": True, "summary": True, "originallyAvailableAt": True, "studio": True},
    )
    movie = batch_movie()
    movie.editTitle("New / T&itle").editSummary("Para.\n\nPara \u201c2\u201d")
    movie.editOriginallyAvailable("2024-03-05").editStudio(None)
    assert edit_query(edit) == plexapi_query(movie)


def test_tag_lists_and_removals_match_plexapi():
    edit = make_edit(
        tags={"genre": ["Outdoor", *AWKWARD], "collection": ["Studio X"]},
        remove={"genre": AWKWARD[::-1], "label": ["Old"]},
        locks={"genre": True, "collection": True, "label": True},
    )
    movie = batch_movie()
    movie.addGenre(["Outdoor", *AWKWARD]).removeGenre(AWKWARD[::-1])
    movie.addCollection(["Studio X"]).removeLabel(["Old"])
    assert edit_query(edit) == plexapi_query(movie)


def test_a_long_tag_list_matches_plexapi():
    names = [f"Tag {i}" for i in range(12)]  # indexes 10 and 11 sort before 2
    movie = batch_movie()
    movie.addGenre(names)
    assert edit_query(make_edit(tags={"genre": names}, locks={"genre": True})) == (
        plexapi_query(movie)
    )


def test_actors_match_plexapi_low_level_edit():
    actors = [Actor("Jane", role="Nurse", thumb="http://stash/performer/7/image?t=1"),
              Actor("John & Co")]
    edit = make_edit(actors=actors, remove={"actor": ["Old Guy"]}, locks={"actor": True})
    movie = batch_movie()
    movie.edit(**{
        "actor[0].tag.tag": "Jane", "actor[0].tagging.text": "Nurse",
        "actor[0].tag.thumb": "http://stash/performer/7/image?t=1",
        "actor[1].tag.tag": "John & Co", "actor.locked": 1,
    })
    movie.editTags("actor", ["Old Guy"], remove=True)
    assert edit_query(edit) == plexapi_query(movie)


def test_unlocking_matches_plexapi():
    movie = batch_movie()
    movie.editField("title", "T", locked=False)
    edit = make_edit(fields={"title": "T"}, locks={"title": False})
    assert edit_query(edit) == plexapi_query(movie)


def test_the_query_decodes_to_the_intended_values():
    edit = make_edit(
        fields={"title": AWKWARD[4]}, tags={"genre": AWKWARD}, remove={"genre": AWKWARD},
    )
    pairs = parse_qsl(edit_query(edit), keep_blank_values=True)
    decoded = dict(pairs)
    assert decoded["type"] == "1" and decoded["id"] == "101"
    assert decoded["title.value"] == AWKWARD[4]
    assert [decoded[f"genre[{i}].tag.tag"] for i in range(len(AWKWARD))] == AWKWARD
    assert [unquote(p) for p in decoded["genre[].tag.tag-"].split(",")] == AWKWARD


def test_params_only_carry_what_the_edit_holds():
    assert edit_params(make_edit()) == {"type": "1", "id": "101"}
    params = edit_params(make_edit(actors=[Actor("A")], remove={"genre": []}))
    assert params == {"type": "1", "id": "101", "actor[0].tag.tag": "A"}


@pytest.mark.parametrize("key", ["", "  ", "1,2", "abc", "\uff11", None])
def test_an_edit_without_a_valid_id_is_refused(key):
    with pytest.raises(ValueError):
        edit_query(make_edit(rating_key=key))


def test_rate_query_matches_plexapi():
    # plexapi's RatingMixin.rate builds this path; None becomes -1 (clear).
    assert rate_query("101", 7.5) == "key=101&identifier=com.plexapp.plugins.library&rating=7.5"
    assert rate_query("101", None) == "key=101&identifier=com.plexapp.plugins.library&rating=-1"
    assert rate_query("101", 10) == "key=101&identifier=com.plexapp.plugins.library&rating=10"
    for bad in (-0.5, 10.5):
        with pytest.raises(ValueError):
            rate_query("101", bad)
    with pytest.raises(ValueError):
        rate_query("", 5.0)
