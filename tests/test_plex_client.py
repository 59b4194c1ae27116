"""PlexClient against the Plex double: identity, secrets, sections, the listings behind the path
index, scans. The index kept section by section: test_plex_index.py; item reads and writes:
test_plex_client_edits.py; misbehaving Plex: _faults.py."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from plex.client import PAGE_SIZE, PlexClient
from stash.protocol import UserError
from sync.matching import IndexEntry
from sync_queue import db, layout
from sync_queue.index_cache import IndexCache
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.item import Part
from tests.plex_client import TOKEN, make_client, make_config
from tests.polling import wait_until
from worker.index import Index

# PlexClient writes these into the process environment before plexapi is imported.


pytestmark = pytest.mark.usefixtures("plexapi_settings")


def index_of(client: PlexClient, data_dir: Path) -> IndexCache:
    """The path index as a drain has it (worker/index.py): the client, and the index kept in
    the data folder's plexsync.db (closed with the test's process)."""
    return Index(client, IndexCache(db.connect(data_dir / layout.STATE_DB))).current()


def listings(plex: PlexDouble, section_id: int) -> int:
    prefix = f"/library/sections/{section_id}/all"
    return sum(1 for method, target in plex.requests if method == "GET" and
               target.startswith(prefix))


# -- identity and secrets ---------------------------------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    """Answers `GET /` like PMS and keeps each request's headers: the double does not."""

    server: Any

    def do_GET(self) -> None:
        self.server.seen.append((self.path, dict(self.headers)))
        body = b'<MediaContainer size="0" machineIdentifier="ab" version="1.41" />'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@pytest.fixture
def recorder() -> Iterator[Any]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_client_identifier_is_stable_per_data_dir(recorder: Any, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{recorder.server_address[1]}"
    first, second, other = tmp_path / "a", tmp_path / "a", tmp_path / "b"
    first.mkdir()
    other.mkdir()
    for data_dir in (first, second, other):
        PlexClient(make_config(url), data_dir).probe()  # connects with `GET /`
    sent = [headers["X-Plex-Client-Identifier"] for path, headers in recorder.seen
            if path == "/"]
    assert sent[0] == sent[1] == (first / layout.CLIENT_ID).read_text()
    assert sent[2] == (other / layout.CLIENT_ID).read_text() != sent[0]
    assert all(h["X-Plex-Product"] == "PlexSync" and h["X-Plex-Token"] == TOKEN
               for _, h in recorder.seen)
    assert all(TOKEN not in path for path, _ in recorder.seen)


def test_token_never_in_a_url_or_a_log(
    plex: PlexDouble, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4", size=3)
    client = make_client(plex, tmp_path)
    index_of(client, tmp_path)
    client.fetch_items([rk])
    client.rate(rk, 5)
    client.upload(rk, "poster", b"img")
    client.scan("/data/new")
    assert len(plex.requests) >= 7
    assert all(TOKEN not in target for _, target in plex.requests)
    assert TOKEN not in caplog.text
    assert TOKEN not in "".join(p.read_text(errors="replace") for p in tmp_path.iterdir()
                                if p.is_file())


# -- sections ------------------------------------------------------------------------------

def test_sections_are_movie_sections_chosen_by_name(plex: PlexDouble, tmp_path: Path) -> None:
    scenes = plex.add_section("Scenes", ["/data/scenes", "/more"])
    old = plex.add_section("Old Clips", ["/old"], agent="com.plexapp.agents.none")
    plex.add_section("Music", ["/music"], agent="tv.plex.agents.music", type="artist")
    every = make_client(plex, tmp_path).sections()
    assert [(s.key, s.title, s.type) for s in every] == [
        (scenes, "Scenes", "movie"), (old, "Old Clips", "movie")]
    assert every[0].locations == ("/data/scenes", "/more")
    picked = make_client(plex, tmp_path, plex_library=" SCENES ").sections()
    assert [s.key for s in picked] == [scenes]
    both = make_client(plex, tmp_path, plex_library="old clips,scenes").sections()
    assert {s.key for s in both} == {scenes, old}


def test_unknown_library_names_the_known_ones(plex: PlexDouble, tmp_path: Path) -> None:
    plex.add_section("Scenes", ["/data"])
    plex.add_section("Old Clips", ["/old"])
    plex.add_section("Music", ["/music"], agent="tv.plex.agents.music", type="artist")
    client = make_client(plex, tmp_path, plex_library="Scenes, Nope")
    with pytest.raises(UserError, match="Nope") as raised:
        client.sections()
    assert "Scenes" in str(raised.value) and "Old Clips" in str(raised.value)
    assert "Music" not in str(raised.value)


# -- the path index ------------------------------------------------------------------------

def test_index_pages_every_part_of_every_section(plex: PlexDouble, tmp_path: Path) -> None:
    big = plex.add_section("Big", ["/big"])
    small = plex.add_section("Small", ["/small", "/big"])
    count = 2 * PAGE_SIZE + 1
    for i in range(count):
        plex.add_item(big, f"/big/clip{i:05}.mp4", size=i + 1)
    two_parts = plex.add_item(small, "/small/cd1.mkv", size=11)
    # add_item makes one-part items; a second part is added to the double's store directly.
    plex.store.items[two_parts].parts.append(Part(10**6, "/small/cd2.mkv", 22))
    same_file = plex.add_item(small, "/big/clip00007.mp4", size=8)
    client = make_client(plex, tmp_path)
    plex.reset_counts()
    index = index_of(client, tmp_path)
    assert plex.listings == {"full": 4, "delta": 0, "count": 0}
    assert listings(plex, big) == math.ceil(count / PAGE_SIZE) == 3
    assert listings(plex, small) == 1
    assert len(index) == count + 3
    for i in range(count):
        assert [e.size for e in index.by_path(f"/big/clip{i:05}.mp4")][-1] == i + 1
    assert index.by_path("/small/cd1.mkv") == [IndexEntry(two_parts, small, "/small/cd1.mkv", 11)]
    assert index.by_path("/small/cd2.mkv") == [IndexEntry(two_parts, small, "/small/cd2.mkv", 22)]
    assert {(e.rating_key, e.section_id) for e in index.by_path("/big/clip00007.mp4")} == {
        ("8", big), (same_file, small)}
    assert [e.rating_key for e in index.by_name_size("clip04000.mp4", 4001)] == ["4001"]


# -- scans ---------------------------------------------------------------------------------

def test_scan_refreshes_the_section_holding_the_folder(plex: PlexDouble, tmp_path: Path) -> None:
    plex.add_section("Other", ["/other"])
    sid = plex.add_section("Scenes", ["/data/a", "/data/b/"])
    client = make_client(plex, tmp_path)
    assert client.scan("/data/b/new folder & more") is True
    assert client.scan("/data/a") is True
    assert client.scan("/data/ab/x") is False
    assert client.scan("/elsewhere") is False
    assert plex.scans == [(sid, "/data/b/new folder & more"), (sid, "/data/a")]


def test_scan_reveals_a_pending_file_and_stamps_the_section(
    plex: PlexDouble, tmp_path: Path
) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    plex.add_item(sid, "/data/old.mp4")
    plex.add_pending(sid, "/data/new/clip.mp4", size=5, delay=0.05)
    client = make_client(plex, tmp_path)
    before = client.sections(refresh=True)[0].scanned_at
    assert not index_of(client, tmp_path).by_path("/data/new/clip.mp4")
    assert client.scan("/data/new") is True
    wait_until(lambda: client.sections(refresh=True)[0].scanned_at != before)
    found = index_of(client, tmp_path).by_path("/data/new/clip.mp4")
    assert found and found[0].size == 5
