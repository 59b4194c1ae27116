"""The Stash double answers the real stashapi client as Stash would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
import requests
from stashapi.stashapp import StashInterface

from tests.doubles.stash import StashDouble, tiny_png
from tests.schema_fidelity import assert_recorded_queries_valid, real_schema

SYNC_FIELDS = (
    "id title code details director urls date rating100 organized created_at updated_at "
    "studio { id name parent_studio { id name } image_path } "
    "performers { id name disambiguation image_path } tags { id name } "
    "groups { group { id name front_image_path } scene_index } "
    "files { id path basename size duration } paths { screenshot preview }"
)
STORED_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+01:00$")


@pytest.fixture(autouse=True)
def _frozen_and_held_to_stashs_schema(stash: StashDouble) -> Iterator[None]:
    """conftest's double, on a stopped clock; whatever the clients asked must be valid for
    real Stash."""
    stash.clock.freeze()
    yield
    if real_schema() is not None:
        assert_recorded_queries_valid(stash.queries)


@pytest.fixture
def client(stash: StashDouble) -> StashInterface:
    return StashInterface(stash.server_connection())


def add_library(stash: StashDouble) -> dict[str, int]:
    network = stash.add_studio("Network", image=tiny_png("network"))
    studio = stash.add_studio("Studio A", parent=network)
    jane = stash.add_performer("Jane Doe", image=tiny_png("jane"))
    john = stash.add_performer("John Roe", disambiguation="2010s")
    tag = stash.add_tag("Outdoor")
    group = stash.add_group("Series")
    first = stash.add_scene(
        title="Beach", details="Sand", date="2024-05-06", rating100=80, organized=True,
        studio=studio, performers=[jane, john], tags=[tag], groups=[(group, 3)],
        files=[("/media/a/beach.mp4", 1234, 90.5)], urls=["https://x.test/1"], code="B-1",
        director="Ann", cover=tiny_png("beach"),
    )
    second = stash.add_scene(title="Hill", date="2024-05", performers=[jane],
                             files=[("/media/b/hill.mkv", 99)])
    third = stash.add_scene(date="2023", studio=network)
    return {"network": network, "studio": studio, "jane": jane, "john": john, "tag": tag,
            "group": group, "first": first, "second": second, "third": third}


def test_stashapi_constructs_with_three_posts(stash: StashDouble) -> None:
    StashInterface(stash.server_connection())
    assert stash.counts["graphql"] == 3
    assert stash.counts["version"] == 1
    assert stash.counts["configuration"] == 1
    assert stash.counts["__schema"] == 1


def test_server_connection_looks_like_stash_stdin(stash: StashDouble) -> None:
    conn = stash.server_connection(plugin_dir="/plugins/plexsync")
    assert conn["Host"] == "0.0.0.0" and conn["Port"] == stash.port
    assert conn["SessionCookie"]["Name"] == "session"
    assert conn["SessionCookie"]["Value"] == "sess-secret"
    assert conn["SessionCookie"]["MaxAge"] == 3600
    assert conn["PluginDir"] == "/plugins/plexsync"
    assert "ApiKey" not in conn


def test_find_scene_returns_every_sync_field(stash: StashDouble,
                                             client: StashInterface) -> None:
    ids = add_library(stash)
    scene = client.find_scene(ids["first"], fragment=SYNC_FIELDS)
    port = stash.port
    assert scene["id"] == str(ids["first"])
    assert (scene["title"], scene["code"], scene["details"], scene["director"]) == (
        "Beach", "B-1", "Sand", "Ann")
    assert (scene["date"], scene["rating100"], scene["organized"]) == ("2024-05-06", 80, True)
    assert scene["urls"] == ["https://x.test/1"]
    assert STORED_TIME.match(scene["updated_at"]) and STORED_TIME.match(scene["created_at"])
    assert scene["studio"]["name"] == "Studio A"
    assert scene["studio"]["parent_studio"]["name"] == "Network"
    assert scene["studio"]["image_path"].endswith("&default=true")
    assert [p["name"] for p in scene["performers"]] == ["Jane Doe", "John Roe"]
    assert scene["performers"][1]["disambiguation"] == "2010s"
    assert scene["performers"][0]["image_path"].startswith(
        f"http://127.0.0.1:{port}/performer/{ids['jane']}/image?t=")
    assert "default=true" not in scene["performers"][0]["image_path"]
    assert scene["performers"][1]["image_path"].endswith("&default=true")
    assert scene["tags"] == [{"id": str(ids["tag"]), "name": "Outdoor"}]
    assert scene["groups"][0]["group"]["name"] == "Series"
    assert scene["groups"][0]["scene_index"] == 3
    assert scene["files"] == [{"id": "1", "path": "/media/a/beach.mp4",
                               "basename": "beach.mp4", "size": 1234, "duration": 90.5}]
    assert scene["paths"]["screenshot"].startswith(
        f"http://127.0.0.1:{port}/scene/{ids['first']}/screenshot?t=")


def test_date_keeps_its_precision(stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    dates = [client.find_scene(ids[k], fragment="date")["date"]
             for k in ("first", "second", "third")]
    assert dates == ["2024-05-06", "2024-05", "2023"]


def test_missing_scene_is_none(stash: StashDouble, client: StashInterface) -> None:
    assert client.find_scene(999, fragment="id") is None


def test_default_fragment_has_ids_only_for_studio_and_performers(
        stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    scene = client.find_scene(ids["first"])
    assert scene["performers"] == [{"id": str(ids["jane"])}, {"id": str(ids["john"])}]
    assert scene["studio"] == {"id": str(ids["studio"])}


def test_find_scenes_pages_by_id(stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    seen = []
    for page in (1, 2, 3):
        page_filter = {"per_page": 2, "page": page, "sort": "id", "direction": "ASC"}
        count, scenes = client.find_scenes(f={}, filter=page_filter, fragment="id",
                                           get_count=True)
        assert count == 3
        seen.append([int(s["id"]) for s in scenes])
    assert seen == [[ids["first"], ids["second"]], [ids["third"]], []]


def test_find_scenes_all_with_minus_one(stash: StashDouble, client: StashInterface) -> None:
    add_library(stash)
    assert len(client.find_scenes(f={}, filter={"per_page": -1}, fragment="id")) == 3


def test_updated_at_filter_compares_stored_text(stash: StashDouble,
                                                client: StashInterface) -> None:
    ids = add_library(stash)
    watermark = stash.scene(ids["third"])["updated_at"]
    stash.clock.advance(5)
    stash.update_scene(ids["second"], title="Hill 2")
    newer = client.find_scenes(
        f={"updated_at": {"value": watermark, "modifier": "GREATER_THAN"}},
        filter={"per_page": -1, "sort": "updated_at"}, fragment="id")
    assert [int(s["id"]) for s in newer] == [ids["second"]]
    # The same instant written in UTC sorts an hour earlier as text, so every scene
    # "matches": the pitfall of a naive UTC watermark, reproduced.
    utc_text = datetime.fromisoformat(watermark).astimezone(timezone.utc).isoformat()
    everything = client.find_scenes(
        f={"updated_at": {"value": utc_text, "modifier": "GREATER_THAN"}},
        filter={"per_page": -1}, fragment="id")
    assert len(everything) == 3


def test_edit_bumps_updated_at_with_second_precision(stash: StashDouble,
                                                     client: StashInterface) -> None:
    scene_id = stash.add_scene(title="Before")
    created = stash.scene(scene_id)["updated_at"]
    stash.update_scene(scene_id, title="Same second")
    assert stash.scene(scene_id)["updated_at"] == created
    stash.clock.advance(1)
    stash.update_scene(scene_id, title="After")
    found = client.find_scene(scene_id, fragment="title created_at updated_at")
    assert found["title"] == "After"
    assert found["updated_at"] > created
    assert found["created_at"] == created


def test_renames_leave_scenes_untouched(stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    before = client.find_scene(ids["first"], fragment="updated_at")["updated_at"]
    stash.clock.advance(60)
    stash.rename_performer(ids["jane"], "Jane Renamed")
    stash.rename_studio(ids["studio"], "Studio Renamed")
    stash.rename_tag(ids["tag"], "Tag Renamed")
    scene = client.find_scene(
        ids["first"], fragment="updated_at performers { name } studio { name } tags { name }")
    assert scene["updated_at"] == before
    assert scene["performers"][0]["name"] == "Jane Renamed"
    assert scene["studio"]["name"] == "Studio Renamed"
    assert scene["tags"][0]["name"] == "Tag Renamed"


def test_delete_scene(stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    stash.delete_scene(ids["second"])
    assert client.find_scene(ids["second"], fragment="id") is None
    assert stash.scene_ids() == [ids["first"], ids["third"]]


def test_snapshot_and_edits_keep_file_ids(stash: StashDouble) -> None:
    ids = add_library(stash)
    stash.update_scene(ids["first"], files=[("/media/new.mp4", 5), ("/media/a/beach.mp4", 1234)],
                       studio=None, performers=[ids["john"]])
    snapshot = stash.scene(ids["first"])
    assert [(f["id"], f["path"]) for f in snapshot["files"]] == [
        (3, "/media/new.mp4"), (1, "/media/a/beach.mp4")]
    assert snapshot["studio"] is None and snapshot["performers"] == [ids["john"]]
    assert snapshot["groups"] == [[ids["group"], 3]] and snapshot["cover"] == tiny_png("beach")
    with pytest.raises(TypeError):
        stash.update_scene(ids["first"], rating=5)
    with pytest.raises(KeyError):
        stash.add_scene(tags=[999])


def test_ids_argument_keeps_order_and_fails_on_unknown(stash: StashDouble) -> None:
    ids = add_library(stash)
    query = "query($ids: [ID!]) { findScenes(ids: $ids) { count scenes { id } } }"
    wanted = [str(ids["third"]), str(ids["first"])]
    result = post(stash, query, {"ids": wanted}).json()
    assert result["data"]["findScenes"] == {"count": 2,
                                            "scenes": [{"id": i} for i in wanted]}
    failed = post(stash, query, {"ids": [str(ids["first"]), "999"]}).json()
    assert failed["data"] is None
    assert "999" in failed["errors"][0]["message"]


def test_plugin_settings_read_and_replace(stash: StashDouble, client: StashInterface) -> None:
    assert client.find_plugin_config("plexsync") == {}
    stash.plugin_settings["plexsync"] = {"plexUrl": "http://plex", "dryRun": True}
    stash.plugin_settings["other"] = {"x": 1}
    assert client.find_plugin_config("plexsync") == {"plexUrl": "http://plex", "dryRun": True}
    client.configure_plugin("plexsync", {"dryRun": False, "batch": 5})
    assert stash.plugin_settings["plexsync"] == {"plexUrl": "http://plex", "dryRun": False,
                                                 "batch": 5}
    replaced = post(stash, "mutation { configurePlugin(plugin_id: \"plexsync\", "
                           "input: {only: \"this\"}) }").json()
    assert replaced["data"]["configurePlugin"] == {"only": "this"}
    assert stash.plugin_settings["plexsync"] == {"only": "this"}
    assert stash.plugin_settings["other"] == {"x": 1}


def test_server_status_and_jobs(stash: StashDouble, client: StashInterface) -> None:
    # An empty queue is null, not []: stashapp/stash internal/api/resolver_query_job.go builds
    # a nil slice.
    assert client.job_queue() is None
    job = stash.add_job("Scanning...", progress=0.25)
    answer = post(stash, "{ systemStatus { status appSchema } "
                         "jobQueue { id status description progress } }").json()["data"]
    assert answer["systemStatus"]["status"] == "OK"
    assert answer["jobQueue"] == [{"id": str(job), "status": "RUNNING",
                                   "description": "Scanning...", "progress": 0.25}]
    stash.remove_job(job)
    assert client.job_queue() is None


def test_find_performer_studio_tag(stash: StashDouble) -> None:
    ids = add_library(stash)
    query = ("query($p: ID!, $s: ID!, $t: ID!) { findPerformer(id: $p) { name } "
             "findStudio(id: $s) { name parent_studio { name } } findTag(id: $t) { name } }")
    data = post(stash, query, {"p": str(ids["john"]), "s": str(ids["studio"]),
                               "t": str(ids["tag"])}).json()["data"]
    assert data == {"findPerformer": {"name": "John Roe"},
                    "findStudio": {"name": "Studio A", "parent_studio": {"name": "Network"}},
                    "findTag": {"name": "Outdoor"}}


def test_invalid_documents_get_gqlgen_status_codes() -> None:
    with StashDouble() as stash:  # not the fixture: these documents are wrong on purpose
        assert_gqlgen_status_codes(stash)


def assert_gqlgen_status_codes(stash: StashDouble) -> None:
    assert post(stash, "{ findScenes { nope } }").status_code == 422
    assert post(stash, "{ findScenes {").status_code == 422
    response = requests.post(f"{stash.url}/graphql", data=b"not json", timeout=30)
    assert response.status_code == 400
    bad_variable = post(stash, "query($id: ID) { findScene(id: $id) { id } }", {"id": [1]})
    assert bad_variable.status_code == 422


def test_parallel_reads_during_edits_stay_consistent(stash: StashDouble) -> None:
    ids = add_library(stash)
    query = "{ findScenes(filter: {per_page: -1}) { count scenes { id title } } }"

    def read(_: int) -> int:
        return post(stash, query).json()["data"]["findScenes"]["count"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(read, i) for i in range(20)]
        for n in range(20):
            stash.update_scene(ids["first"], title=f"Beach {n}")
        counts = [f.result() for f in futures]
    assert counts == [3] * 20
    assert stash.scene(ids["first"])["title"] == "Beach 19"


def test_counts_and_reset(stash: StashDouble, client: StashInterface) -> None:
    ids = add_library(stash)
    stash.reset_counts()
    client.find_scene(ids["first"], fragment="id")
    client.find_scenes(f={}, filter={"per_page": 1}, fragment="id")
    assert stash.counts == {"graphql": 2, "findScene": 1, "findScenes": 1}
    assert any("findScenes" in q for q, _ in stash.queries)


def post(stash: StashDouble, query: str, variables: dict | None = None) -> requests.Response:
    return requests.post(f"{stash.url}/graphql",
                         json={"query": query, "variables": variables or {}}, timeout=30)


def test_a_stash_gone_down_refuses_connections_and_comes_back_on_the_same_port() -> None:
    with StashDouble() as stash:
        url = f"{stash.url}/graphql"
        query = {"query": "{ version { version } }"}
        stash.go_down()
        with pytest.raises(requests.ConnectionError):
            requests.post(url, json=query, timeout=30)
        stash.come_up()
        assert requests.post(url, json=query, timeout=30, cookies={"session": "sess-secret"}).ok


def test_connections_are_kept_alive_as_go_keeps_them_until_stash_stops() -> None:
    """Stash is Go's net/http server, keep-alives on (stashapp/stash internal/api/server.go):
    one connection serves many requests; stopping Stash ends the kept ones too."""
    with StashDouble() as stash, requests.Session() as session:
        session.cookies.set("session", "sess-secret")
        url, query = f"{stash.url}/graphql", {"query": "{ version { version } }"}
        answers = [session.post(url, json=query, timeout=30) for _ in range(3)]
        assert [answer.raw.version for answer in answers] == [11] * 3  # HTTP/1.1
        pools = session.get_adapter(url).poolmanager.pools
        # urllib3's pool container refuses plain iteration
        assert [pools[key].num_connections for key in pools.keys()] == [1]  # noqa: SIM118
        stash.go_down()
        with pytest.raises(requests.ConnectionError):
            session.post(url, json=query, timeout=30)
