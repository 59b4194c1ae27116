"""The Plex double answers the real plexapi client like PMS: connecting, sections, listings."""

from __future__ import annotations

import re

import pytest
from plexapi.exceptions import NotFound, Unauthorized
from plexapi.library import MovieSection, MusicSection
from plexapi.server import PlexServer
from plexapi.video import Movie

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import connect, loopback_session


def _fill(plex: PlexDouble, count: int) -> int:
    sid = plex.add_section("Scenes", ["/data/scenes"])
    for i in range(count):
        plex.add_item(sid, f"/data/scenes/clip{i:03}.mp4", size=1000 + i)
    return sid


def test_connect_reads_root_and_identity_needs_no_token(plex: PlexDouble) -> None:
    server = connect(plex)
    assert re.fullmatch(r"[0-9a-f]{40}", server.machineIdentifier)
    assert server.version and server.friendlyName and server.platform == "Linux"
    assert server.transcoderActiveVideoSessions == 0
    reply = loopback_session().get(f"{plex.url}/identity")
    assert reply.status_code == 200 and server.machineIdentifier in reply.text
    assert server.identity().claimed is True
    assert plex.counts["root"] == 1 and plex.counts["identity"] == 2


def test_wrong_token_is_unauthorized_with_html_body(plex: PlexDouble) -> None:
    with pytest.raises(Unauthorized, match="401 Unauthorized</h1>"):
        connect(plex, token="wrong")
    reply = loopback_session().get(f"{plex.url}/library/sections")
    assert reply.status_code == 401 and reply.headers["Content-Type"] == "text/html"


def test_token_accepted_as_query_parameter(plex: PlexDouble) -> None:
    reply = loopback_session().get(f"{plex.url}/library/sections?X-Plex-Token={plex.token}")
    assert reply.status_code == 200 and "<MediaContainer" in reply.text


def test_sections_of_both_agents_and_a_music_section(plex: PlexDouble) -> None:
    new = plex.add_section("Scenes", ["/data/scenes", "/more"])
    plex.add_section("Old", ["/old"], agent="com.plexapp.agents.none")
    music = plex.add_section("Music", ["/music"], agent="tv.plex.agents.music", type="artist")
    library = connect(plex).library
    scenes, legacy = library.sectionByID(new), library.section("old")
    assert isinstance(scenes, MovieSection) and isinstance(library.sectionByID(music), MusicSection)
    assert scenes.locations == ["/data/scenes", "/more"] and scenes.refreshing is False
    assert (scenes.agent, scenes.scanner) == ("tv.plex.agents.none", "Plex Video Files")
    assert (legacy.scanner, legacy.language) == ("Plex Video Files Scanner", "xn")
    assert scenes.uuid and scenes.createdAt
    reply = loopback_session().get(
        f"{plex.url}/library/sections/", headers={"X-Plex-Token": plex.token}
    )
    assert reply.text.count("<Directory") == 3


def test_section_all_pages_through_every_item(plex: PlexDouble, server: PlexServer) -> None:
    sid = _fill(plex, 250)
    plex.reset_counts()
    items = server.library.sectionByID(sid).all(container_size=100)
    assert [i.title for i in items] == [f"clip{i:03}" for i in range(250)]
    assert all(isinstance(i, Movie) and i.librarySectionID == sid for i in items)
    assert items[7].media[0].parts[0].file == "/data/scenes/clip007.mp4"
    assert items[7].media[0].parts[0].size == 1007
    assert plex.counts["listing"] == 3


def test_raw_paged_query_with_headers_or_parameters(plex: PlexDouble, server: PlexServer) -> None:
    sid = _fill(plex, 25)
    files = []
    for start in range(0, 25, 10):
        page = server.query(
            f"/library/sections/{sid}/all?type=1",
            headers={"X-Plex-Container-Start": str(start), "X-Plex-Container-Size": "10"},
        )
        assert page.get("totalSize") == "25" and page.get("offset") == str(start)
        assert page.get("librarySectionID") == str(sid) and page.get("viewGroup") == "movie"
        files += [part.get("file") for part in page.iter("Part")]
    assert files == [f"/data/scenes/clip{i:03}.mp4" for i in range(25)]
    assert server.library.sectionByID(sid).totalViewSize() == 25  # size 0, as query parameters


def test_title_filter(plex: PlexDouble, server: PlexServer) -> None:
    sid = _fill(plex, 30)
    found = server.library.sectionByID(sid).search(title="CLIP02")
    assert [i.title for i in found] == [f"clip{i:03}" for i in range(20, 30)]


def test_listing_truncates_tags_but_full_item_has_all(plex: PlexDouble, server: PlexServer) -> None:
    sid = plex.add_section()
    actors = [{"tag": f"Actor {i}", "role": f"Role {i}", "thumb": None} for i in range(5)]
    tags = {"genre": ["G1", "G2", "G3"], "director": ["D1", "D2"], "label": ["L1"]}
    rk = plex.add_item(sid, "/data/a.mp4", tags=tags, actors=actors, locked={"title"})
    listed = server.library.sectionByID(sid).all()[0]
    listed._autoReload = False
    assert [g.tag for g in listed.genres] == ["G1", "G2"] and len(listed.roles) == 3
    assert len(listed.directors) == 1 and listed.labels == []
    full = server.fetchItem(int(rk))
    full._autoReload = False
    assert [g.tag for g in full.genres] == ["G1", "G2", "G3"]
    assert [(r.tag, r.role) for r in full.roles] == [(a["tag"], a["role"]) for a in actors]
    assert [d.tag for d in full.directors] == ["D1", "D2"] and [x.tag for x in full.labels] == [
        "L1"
    ]
    assert full.roles[0].filter == f"actor={full.roles[0].id}" and full.roles[0].tagKey
    assert [(f.name, f.locked) for f in full.fields] == [("title", True)]
    assert full.guid == f"local://{rk}" and full.librarySectionTitle == "Scenes"


def test_fetch_items_by_comma_separated_keys(plex: PlexDouble, server: PlexServer) -> None:
    sid = _fill(plex, 5)
    keys = [int(i["ratingKey"]) for i in plex.items()]
    items = server.fetchItems([keys[3], keys[1]])
    assert [i.title for i in items] == ["clip003", "clip001"]
    assert all(i.librarySectionID == sid for i in items)
    assert plex.counts["metadata"] == 1


def test_unknown_item_and_route_are_not_found(plex: PlexDouble, server: PlexServer) -> None:
    _fill(plex, 1)
    with pytest.raises(NotFound, match="404"):
        server.fetchItem(99999)
    with pytest.raises(NotFound):
        server.query("/no/such/route")
    assert plex.counts["unknown"] == 1


def test_token_travels_in_header_not_url(plex: PlexDouble, server: PlexServer) -> None:
    sid = _fill(plex, 3)
    server.library.sectionByID(sid).all()[0].editTitle("x")
    assert plex.requests and not any(plex.token in url for _, url in plex.requests)


def test_remove_item_then_not_found(plex: PlexDouble, server: PlexServer) -> None:
    _fill(plex, 2)
    rk = plex.items()[0]["ratingKey"]
    plex.remove_item(rk)
    with pytest.raises(NotFound):
        server.fetchItem(int(rk))
    assert len(plex.items()) == 1


def test_person_edit_in_plex_shows_through_plexapi(plex: PlexDouble, server: PlexServer) -> None:
    _fill(plex, 1)
    rk = plex.items()[0]["ratingKey"]
    plex.set_field(rk, "studio", "Edited")
    plex.set_tags(rk, "genre", ["Manual"])
    item = server.fetchItem(int(rk))
    assert item.studio == "Edited" and [g.tag for g in item.genres] == ["Manual"]
    assert item.isLocked("studio") and item.isLocked("genre")
    assert plex.item(rk)["locked"] == {"studio", "genre"}
