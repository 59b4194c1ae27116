"""UI mode of the Stash double over plain HTTP: Stash's built web UI served as Stash serves it
(stashapp/stash internal/api/server.go) and GraphQL on the full schema with type-correct
defaults. Skips where ../shared/stash-ui or ../shared/stash-schema is absent.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest
import requests
from graphql import build_schema, parse, validate

from tests.doubles.stash import StashDouble, full_schema, ui_files
from tests.doubles.stash.availability import ui_mode_missing
from tests.doubles.stash.full_schema import SCHEMA_MISSING, default_value
from tests.doubles.stash.ui_files import UI_BUILD, UI_MISSING
from tests.plugin_run import ROOT

UI_PLUGIN = ROOT / "tests" / "ui_plugin" / "uitest.yml"
# What every page of the UI asks at start-up (ui/v2.5/graphql of stashapp/stash v0.30.1), in
# short.
STARTUP = """
query Startup {
  systemStatus { status appSchema databaseSchema databasePath }
  configuration { ui general { apiKey stashes { path excludeVideo } databasePath }
                  interface { menuItems language } plugins }
  plugins { id name enabled requires settings { name display_name type }
            tasks { name description } hooks { name hooks } paths { javascript css } }
  jobQueue { id status description progress startTime }
}
"""


def _post(stash: StashDouble, query: str, variables: dict | None = None) -> Any:
    return requests.post(stash.url + "/graphql", json={"query": query,
                                                       "variables": variables or {}},
                         timeout=30)


def test_app_paths_are_index_html_with_theme_colour_and_base_href(ui_stash: StashDouble) -> None:
    page = requests.get(ui_stash.url + "/scenes/12", timeout=30)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<meta name="theme-color" content="#202b33"' in page.text
    assert '<base href="/"' in page.text
    assert "%COLOR%" not in page.text
    proxied = requests.get(ui_stash.url + "/", headers={"X-Forwarded-Prefix": "/stash/"},
                           timeout=30)
    assert '<base href="/stash/"' in proxied.text


def test_pages_carry_stashs_content_security_policy_widened_by_plugins(
        ui_stash: StashDouble, tmp_path: Any) -> None:
    manifest = tmp_path / "wide.yml"
    manifest.write_text("name: Wide\nexec: [python3, x.py]\nui:\n  javascript:\n"
                        "    - https://cdn.example/lib.js\n  csp:\n    connect-src:\n"
                        "      - http://plex.example:32400\n")
    ui_stash.install_plugin(manifest)
    policy = requests.get(ui_stash.url + "/", timeout=30).headers["Content-Security-Policy"]
    assert "connect-src data: 'self' ws: wss: http://plex.example:32400;" in policy
    assert "https://cdn.example/lib.js" in policy.split("script-src", 1)[1].split(";")[0]
    assert "object-src 'none'" in policy


def test_built_files_come_from_their_gz_twin(ui_stash: StashDouble) -> None:
    script = next((UI_BUILD / "assets").glob("index-*.js.gz"))
    path = "/assets/" + script.name[:-3]
    packed = requests.get(ui_stash.url + path, stream=True, timeout=30)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in packed.headers["Cache-Control"]
    assert packed.raw.read() == script.read_bytes()
    plain = requests.get(ui_stash.url + path, headers={"Accept-Encoding": "identity"},
                         timeout=30)
    assert "Content-Encoding" not in plain.headers
    assert plain.content == gzip.decompress(script.read_bytes())
    assert requests.get(ui_stash.url + "/assets/none.js", timeout=30).status_code == 404


def test_stash_routes_stay_stashs_and_custom_files_are_empty(ui_stash: StashDouble) -> None:
    # /scene, /plugin, ... are Stash's own routers: never the app
    assert requests.get(ui_stash.url + "/scene/99/stream", timeout=30).status_code == 404
    assert requests.get(ui_stash.url + "/plugin/some-page", timeout=30).status_code == 404
    assert requests.get(ui_stash.url + "/customlocales", timeout=30).text == "{}"
    assert requests.get(ui_stash.url + "/css", timeout=30).text == ""


def test_startup_queries_are_answered_from_the_full_schema(ui_stash: StashDouble) -> None:
    ui_stash.install_plugin(UI_PLUGIN)
    data = _post(ui_stash, STARTUP).json()["data"]
    assert data["systemStatus"]["status"] == "OK"
    assert data["systemStatus"]["databaseSchema"] is None  # nullable, not modelled
    assert data["configuration"]["ui"]["lastNoteSeen"] > 20251218
    assert data["configuration"]["general"]["stashes"] == []  # non-null list
    assert data["configuration"]["interface"]["menuItems"] is None
    assert data["plugins"][0]["paths"]["javascript"] == [f"{ui_stash.url}/plugin/uitest/"
                                                         "javascript"]
    assert data["jobQueue"] is None


def test_scene_fields_come_from_the_store_and_the_rest_default(ui_stash: StashDouble) -> None:
    studio = ui_stash.add_studio("Studio A")
    scene = ui_stash.add_scene(title="Beach Day", studio=studio,
                               files=[("/media/beach.mp4", 1234, 60.0)])
    query = """query($id: ID!) { findScene(id: $id) { id title play_count organized
      studio { name image_path } files { path size width fingerprints { type value } }
      paths { screenshot stream } stash_ids { endpoint } } }"""
    found = _post(ui_stash, query, {"id": str(scene)}).json()["data"]["findScene"]
    assert found["title"] == "Beach Day"
    assert found["studio"]["name"] == "Studio A"
    assert found["files"] == [{"path": "/media/beach.mp4", "size": 1234, "width": 0,
                               "fingerprints": []}]
    assert found["play_count"] is None
    assert found["paths"]["stream"] is None
    assert found["stash_ids"] == []


def test_documents_are_validated_against_the_full_schema(ui_stash: StashDouble) -> None:
    answer = _post(ui_stash, "{ findScene(id: 1) { no_such_field } }")
    assert answer.status_code == 422


def test_configure_ui_replaces_or_merges_the_ui_settings(ui_stash: StashDouble) -> None:
    _post(ui_stash, "mutation { configureUI(partial: {theme: \"dark\", "
                    "taskDefaults: {scan: {a: 1}}}) }")
    _post(ui_stash, "mutation { configureUI(partial: {taskDefaults: {scan: {b: 2}}}) }")
    ui = _post(ui_stash, "{ configuration { ui } }").json()["data"]["configuration"]["ui"]
    assert ui["theme"] == "dark" and ui["lastNoteSeen"] > 20251218
    assert ui["taskDefaults"] == {"scan": {"a": 1, "b": 2}}  # nested maps merge
    _post(ui_stash, "mutation { configureUI(input: {only: 1}) }")
    assert _post(ui_stash, "{ configuration { ui } }").json()["data"]["configuration"][
        "ui"] == {"only": 1}


def test_run_plugin_operation_and_task_over_graphql(ui_stash: StashDouble) -> None:
    plugin = ui_stash.install_plugin(UI_PLUGIN)
    answer = _post(ui_stash, "mutation($a: Map) { runPluginOperation(plugin_id: \"uitest\", "
                             "args: $a) }", {"a": {"mode": "echo", "x": [1]}}).json()
    assert answer["data"]["runPluginOperation"]["args"] == {"mode": "echo", "x": [1]}
    failed = _post(ui_stash, "mutation { runPluginOperation(plugin_id: \"uitest\", "
                             "args: {mode: \"fail\"}) }").json()
    assert failed["data"] == {"runPluginOperation": None}
    assert failed["errors"][0]["message"] == "uitest failed on purpose"
    assert failed["errors"][0]["path"] == ["runPluginOperation"]
    # the deprecated list form of args counts only without args_map
    job_id = _post(ui_stash, "mutation { runPluginTask(plugin_id: \"uitest\", task_name: "
                             "\"Echo\", args: [{key: \"n\", value: {i: 2}}]) }"
                   ).json()["data"]["runPluginTask"]
    job = ui_stash.wait_for_job(int(job_id))
    assert job.output.output["args"]["n"] == 2
    found = _post(ui_stash, "query($id: ID!) { findJob(input: {id: $id}) { status "
                            "description } }", {"id": job_id}).json()["data"]["findJob"]
    assert found == {"status": "FINISHED", "description": "Running plugin task: Echo"}
    assert plugin == "uitest"


def test_defaults_are_type_correct_for_every_output_field() -> None:
    schema = build_schema("enum E { FIRST SECOND } type T { a: Int! } "
                          "type Query { e: E! l: [T!]! t: T! s: String n: Int m: Float! }")
    fields = schema.query_type.fields
    assert default_value(fields["e"].type) == "FIRST"
    assert default_value(fields["l"].type) == []
    assert default_value(fields["t"].type) == {}
    assert default_value(fields["s"].type) is None
    assert default_value(fields["m"].type) == 0.0
    assert not validate(schema, parse("{ e l { a } t { a } }"))


def test_without_shared_ui_or_schema_ui_mode_says_what_is_missing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(ui_files, "UI_BUILD", tmp_path / "no-ui")
    if full_schema.real_schema() is not None:
        assert ui_mode_missing() == UI_MISSING
        assert ui_mode_missing(need_web_ui=False) is None
    monkeypatch.setattr(full_schema, "REAL_SCHEMA_DIR", tmp_path / "no-schema")
    full_schema.real_schema.cache_clear()
    try:
        assert ui_mode_missing(need_web_ui=False) == SCHEMA_MISSING
        with pytest.raises(FileNotFoundError, match="stash-schema not found"):
            StashDouble(ui=True)
    finally:
        full_schema.real_schema.cache_clear()
