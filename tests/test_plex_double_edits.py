"""Edits, tags, ratings and uploads through the real plexapi client land in the Plex double."""

from __future__ import annotations

import hashlib

import pytest
from plexapi.exceptions import BadRequest
from plexapi.server import PlexServer
from plexapi.video import Movie

from tests.doubles.plex import PlexDouble

AWKWARD = ["A & B", "x,y", "with  spaces", "50%+1"]


def _movie(plex: PlexDouble, server: PlexServer, **optional: object) -> Movie:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/scene one.mp4", size=5, **optional)
    movie = server.fetchItem(int(rk))
    movie._autoReload = False  # every extra GET would be a request the test did not ask for
    return movie


def test_field_edits_set_values_and_locks(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    movie.editTitle("T & <t>\nline").editSortTitle("Sort").editStudio("Studio")
    movie.editSummary("Sum").editTagline("Tag").editContentRating("R")
    movie.editOriginallyAvailable("2024-01-02").editField("year", 2024, locked=False)
    fields = plex.item(movie.ratingKey)["fields"]
    assert fields["title"] == "T & <t>\nline" and fields["titleSort"] == "Sort"
    assert (fields["studio"], fields["summary"], fields["tagline"]) == ("Studio", "Sum", "Tag")
    assert (fields["contentRating"], fields["year"]) == ("R", 2024)
    assert fields["originallyAvailableAt"] == "2024-01-02"
    locked = {"title", "titleSort", "studio", "summary", "tagline", "contentRating"}
    assert plex.item(movie.ratingKey)["locked"] == locked | {"originallyAvailableAt"}
    movie.reload()
    assert movie.title == "T & <t>\nline" and movie.year == 2024 and movie.isLocked("studio")
    movie.editField("studio", None, locked=False).reload()
    assert movie.studio is None and not movie.isLocked("studio")


def test_clearing_title_falls_back_to_file_name(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server, title="Given")
    movie.editTitle("")
    assert plex.item(movie.ratingKey)["fields"]["title"] == "scene one"


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        ({"year.value": "soon"}, "500"),
        ({"originallyAvailableAt.value": "02/01/2024"}, "500"),
        ({"originallyAvailableAt.value": "2024-02-30"}, "500"),
        ({"bogus.value": "x"}, "400"),
        ({"genre[0].tag.bogus": "x"}, "400"),
    ],
)
def test_bad_edits_are_refused_and_change_nothing(
    plex: PlexDouble, server: PlexServer, edit: dict[str, str], code: str
) -> None:
    movie = _movie(plex, server)
    with pytest.raises(BadRequest, match=f"\\({code}\\)"):
        movie.edit(**{"title.value": "new", **edit})
    assert plex.item(movie.ratingKey)["fields"]["title"] == "scene one"


@pytest.mark.parametrize("mode", ["replace", "append"])
def test_add_and_remove_awkward_genres(plex: PlexDouble, server: PlexServer, mode: str) -> None:
    plex.tag_mode = mode
    movie = _movie(plex, server, tags={"genre": ["Old"]})
    movie.addGenre(AWKWARD)
    assert plex.item(movie.ratingKey)["tags"]["genre"] == ["Old", *AWKWARD]
    movie.reload()
    movie.removeGenre(["a & b", "x,y", "Old", "50%+1"])
    assert "genre%5B%5D.tag.tag-=a%2520%2526%2520b%2Cx%252Cy" in plex.requests[-1][1]
    assert plex.item(movie.ratingKey)["tags"]["genre"] == ["with  spaces"]
    assert "genre" in plex.item(movie.ratingKey)["locked"]


def test_replace_and_append_differ_for_partial_lists(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server, tags={"collection": ["Keep", "Drop"]})
    plex.tag_mode = "append"
    movie.edit(**{"collection[0].tag.tag": "keep", "collection[1].tag.tag": "New"})
    assert plex.item(movie.ratingKey)["tags"]["collection"] == ["Keep", "Drop", "New"]
    plex.tag_mode = "replace"
    movie.edit(**{"collection[0].tag.tag": "Only", "collection[].tag.tag-": "Drop"})
    assert plex.item(movie.ratingKey)["tags"]["collection"] == ["Only"]
    movie.edit(**{"collection[].tag": ""})
    assert plex.item(movie.ratingKey)["tags"]["collection"] == []


def test_actors_with_roles_and_shared_photos(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    other = plex.add_item(movie.librarySectionID, "/data/other.mp4", actors=[{"tag": "Jane"}])
    movie.edit(
        **{
            "actor[0].tag.tag": "Jane",
            "actor[0].tagging.text": "Lead",
            "actor[0].tag.thumb": "http://stash/performer/1/image",
            "actor[1].tag.tag": "Bob",
            "actor.locked": 1,
        }
    )
    snap = plex.item(movie.ratingKey)
    assert snap["actors"] == [
        {"tag": "Jane", "role": "Lead", "thumb": "http://stash/performer/1/image"},
        {"tag": "Bob", "role": None, "thumb": None},
    ]
    assert "actor" in snap["locked"]
    assert plex.item(other)["actors"][0]["thumb"] == "http://stash/performer/1/image"
    movie.reload()
    assert [(r.tag, r.role) for r in movie.roles] == [("Jane", "Lead"), ("Bob", None)]


def test_upload_poster_and_art_select_and_lock(
    plex: PlexDouble, server: PlexServer, tmp_path
) -> None:
    movie = _movie(plex, server)
    image = tmp_path / "poster.jpg"
    image.write_bytes(b"\xff\xd8poster")
    movie.uploadPoster(filepath=str(image))
    movie.uploadPoster(filepath=b"second")
    movie.uploadArt(url="http://stash/scene/1/screenshot")
    snap = plex.item(movie.ratingKey)
    assert snap["poster_sha1"] == hashlib.sha1(b"second").hexdigest()
    assert snap["art_url"] == "http://stash/scene/1/screenshot"
    assert snap["uploads"] == {"poster": 2, "art": 1}
    assert {"thumb", "art"} <= snap["locked"]
    posters = movie.posters()
    assert [p.ratingKey for p in posters] == [
        f"upload://posters/{hashlib.sha1(b).hexdigest()}" for b in (b"\xff\xd8poster", b"second")
    ]
    assert [p.selected for p in posters] == [False, True]
    assert [a.ratingKey for a in movie.arts()] == ["http://stash/scene/1/screenshot"]
    movie.reload()
    assert movie.thumb.startswith(f"/library/metadata/{movie.ratingKey}/thumb/")
    assert movie.isLocked("thumb") and movie.isLocked("art")
    movie.unlockPoster()
    assert "thumb" not in plex.item(movie.ratingKey)["locked"]


def test_repeated_upload_changes_thumb(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    movie.uploadPoster(filepath=b"same")
    first = plex.item(movie.ratingKey)["thumb"]
    movie.uploadPoster(filepath=b"same")
    assert plex.item(movie.ratingKey)["thumb"] != first and len(movie.posters()) == 1


def test_empty_upload_is_bad_request(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    with pytest.raises(BadRequest, match="400"):
        server.query(f"/library/metadata/{movie.ratingKey}/posters", method=server._session.post)


def test_put_without_id_edits_whole_section(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    plex.add_item(movie.librarySectionID, "/data/two.mp4")
    elsewhere = plex.add_item(plex.add_section("Other", ["/o"]), "/o/three.mp4")
    server.library.sectionByID(movie.librarySectionID).lockAllField("thumb")
    assert [("thumb" in i["locked"]) for i in plex.items()] == [True, True, False]
    assert plex.item(elsewhere)["locked"] == set()


def test_multi_edit_with_comma_ids(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    two = server.fetchItem(int(plex.add_item(movie.librarySectionID, "/data/two.mp4")))
    server.library.sectionByID(movie.librarySectionID).multiEdit(
        [movie, two], **{"studio.value": "S"}
    )
    assert [i["fields"]["studio"] for i in plex.items()] == ["S", "S"]


def test_rate_sets_and_clears_user_rating(plex: PlexDouble, server: PlexServer) -> None:
    movie = _movie(plex, server)
    movie.rate(7.5)
    assert plex.item(movie.ratingKey)["fields"]["userRating"] == 7.5
    assert movie.reload().userRating == 7.5
    movie.rate(None)
    assert plex.item(movie.ratingKey)["fields"]["userRating"] is None
    with pytest.raises(BadRequest, match="400"):
        server.query(
            f"/:/rate?key={movie.ratingKey}&identifier=x&rating=3", method=server._session.put
        )
