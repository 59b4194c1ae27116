"""The Stash double runs plugins as Stash does: runPluginOperation, runPluginTask and its job,
the manifest read strictly, the plugin's UI files. Uses the test plugin in tests/ui_plugin/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.doubles.stash import StashDouble
from tests.doubles.stash.plugin_host import PluginError
from tests.doubles.stash.plugin_runner import log_line, parse_output
from tests.doubles.stash.plugins import ManifestError, load_plugin
from tests.harness import Harness
from tests.plugin_run import ROOT
from tests.polling import wait_until

UI_PLUGIN = ROOT / "tests" / "ui_plugin" / "uitest.yml"
STDIN_CONNECTION_KEYS = {"Scheme", "Host", "Port", "SessionCookie", "Dir", "PluginDir"}


@pytest.fixture
def plugin(stash: StashDouble) -> str:
    return stash.install_plugin(UI_PLUGIN)


def _get(stash: StashDouble, path: str) -> requests.Response:
    return requests.get(stash.url + path, timeout=10)


# --- operations --------------------------------------------------------------------------


def test_operation_gets_exactly_its_args_and_stashs_server_connection(
        stash: StashDouble, plugin: str) -> None:
    output = stash.run_plugin_operation(plugin, {"mode": "echo", "n": 3, "deep": {"a": [1]}})
    # no task, so no defaultArgs: the args arrive exactly as given, JSON types kept
    assert output["args"] == {"mode": "echo", "n": 3, "deep": {"a": [1]}}
    connection = output["server_connection"]
    assert set(connection) | {"SessionCookie"} == STDIN_CONNECTION_KEYS
    assert connection["Port"] == stash.port
    assert connection["PluginDir"] == str(UI_PLUGIN.parent)


def test_operation_error_raises_and_every_stderr_line_reaches_stashs_log(
        stash: StashDouble, plugin: str) -> None:
    with pytest.raises(PluginError, match="^uitest failed on purpose$"):
        stash.run_plugin_operation(plugin, {"mode": "fail"})
    assert "[Plugin / UI Test] failing on purpose" in stash.log.messages("error")
    assert "[Plugin / UI Test] uitest mode fail" in stash.log.messages("info")


def test_operation_output_that_is_not_json_is_the_text_and_an_exit_code_is_an_error(
        stash: StashDouble, plugin: str) -> None:
    assert stash.run_plugin_operation(plugin, {"mode": "text"}) == "plain text, not JSON\n"
    with pytest.raises(PluginError, match="^exit status 3$"):
        stash.run_plugin_operation(plugin, {"mode": "exit"})
    # a line without a level prefix takes the yml's errLog level (warning here)
    assert "[Plugin / UI Test] an unprefixed line" in stash.log.messages("warning")


def test_unknown_or_disabled_plugin_is_refused(stash: StashDouble, plugin: str) -> None:
    with pytest.raises(PluginError, match="no plugin with ID nope"):
        stash.run_plugin_operation("nope", {})
    stash.plugins.set_enabled(plugin, False)
    with pytest.raises(PluginError, match=f"plugin {plugin} is disabled"):
        stash.run_plugin_operation(plugin, {"mode": "echo"})


@pytest.mark.parametrize(("stdout", "expected"), [
    ('{"output": {"a": 1}}', ({"a": 1}, None)),
    ('{"Output": 5, "ERROR": "bad"}', (5, "bad")),  # Go matches JSON keys case-insensitively
    ('{"error": 7}', ('{"error": 7}', None)),  # an error that is not a string: raw text
    ("[1, 2]", ("[1, 2]", None)),
    ("null", (None, None)),
    ("", ("", None)),
])
def test_stdout_is_read_as_gos_json_unmarshal_into_plugin_output(stdout: str,
                                                                 expected: tuple) -> None:
    assert tuple(parse_output(stdout)) == expected


def test_stderr_lines_are_read_as_stashs_plugin_logger() -> None:
    assert log_line("\x01i\x02  hello  ", "error") == ("info", "hello")
    assert log_line("\x01p\x020.25", "error") == ("progress", "0.25")
    assert log_line("\x01x\x02odd level", "error") == ("error", "\x01x\x02odd level")
    assert log_line("plain", "debug") == ("debug", "plain")
    assert log_line("plain", "none") is None


# --- tasks and jobs -------------------------------------------------------------------------


def test_task_merges_its_default_args_under_the_given_ones(stash: StashDouble,
                                                           plugin: str) -> None:
    job_id = stash.run_plugin_task(plugin, "Echo", args={"kept": "given", "extra": 1})
    job = stash.wait_for_job(job_id)
    assert job.status == "FINISHED"
    assert job.description == "Running plugin task: Echo"
    assert job.output.output["args"] == {"mode": "echo", "from": "defaults", "kept": "given",
                                         "extra": 1}
    assert ("info", "uitest mode echo") in job.logs


def test_task_whose_plugin_answers_an_error_still_finishes(stash: StashDouble,
                                                           plugin: str) -> None:
    # stashapp/stash internal/manager/task_plugin.go only logs the plugin's error
    job = stash.wait_for_job(stash.run_plugin_task(plugin, "Echo", "Failing",
                                                   args={"mode": "fail"}))
    assert (job.status, job.description) == ("FINISHED", "Running plugin task: Failing")
    assert job.output.error == "uitest failed on purpose"
    assert "Plugin returned error: uitest failed on purpose" in stash.log.messages("error")


def test_task_that_cannot_start_fails(stash: StashDouble, plugin: str) -> None:
    job = stash.wait_for_job(stash.run_plugin_task(plugin, "No Such Task"))
    assert job.status == "FAILED"
    assert job.error == "Error creating plugin task: no task with name No Such Task in " \
                        "plugin UI Test"


def test_jobs_run_one_at_a_time_and_report_progress(stash: StashDouble, plugin: str,
                                                    tmp_path: Path) -> None:
    scan = stash.add_job("Scanning...")
    release = tmp_path / "release"
    first = stash.run_plugin_task(plugin, "Hold", args={"release": str(release)})
    second = stash.run_plugin_task(plugin, "Echo")
    assert stash.job(first).status == "READY"  # a running scan holds every task back
    stash.remove_job(scan)
    wait_until(lambda: stash.job(first).progress == 0.5, what="progress 0.5 from the held task")
    assert stash.job(first).status == "RUNNING"
    assert stash.job(second).status == "READY"
    release.touch()
    assert stash.wait_for_job(first).status == "FINISHED"
    assert stash.wait_for_job(second).status == "FINISHED"
    assert stash.job(first).progress == 1.0


def test_stopping_a_running_task_kills_it_and_cancels_the_job(stash: StashDouble, plugin: str,
                                                              tmp_path: Path) -> None:
    job_id = stash.run_plugin_task(plugin, "Hold", args={"release": str(tmp_path / "never")})
    wait_until(lambda: stash.job(job_id).progress == 0.5, what="the held task running")
    stash.jobs.cancel(job_id)
    job = stash.wait_for_job(job_id)
    assert job.status == "CANCELLED"
    assert job.output.error == "signal: killed"


def test_plexsync_queue_status_through_run_plugin_operation(harness: Harness) -> None:
    harness.build_sample(2)
    report = harness.stash.run_plugin_operation("plexsync", {"mode": "queue_status"})
    assert report["queue"]["waiting"] == 0
    assert report.keys() == harness.task("queue_status").result["output"].keys()


# --- the manifest and the UI files ---------------------------------------------------------


def test_manifest_with_a_key_stash_does_not_know_fails_to_load(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yml"
    manifest.write_text("name: Bad\nexec: [python3, x.py]\nui:\n  javascript: [a.js]\n"
                        "  scripts: [b.js]\nsettings:\n  s:\n    default: 1\n")
    with pytest.raises(ManifestError, match=r"settings\.s\.default, ui\.scripts"):
        load_plugin(manifest)


def test_plugins_query_lists_the_ui_routes_of_plexsync_and_the_test_plugin(
        stash: StashDouble, plugin: str) -> None:
    stash.install_plugin(ROOT / "plexsync.yml")
    shown = {p["id"]: p for p in (x.graphql(stash.url) for x in stash.plugins.all())}
    assert shown["plexsync"]["paths"] == {"javascript": [f"{stash.url}/plugin/plexsync/javascript"],
                                          "css": [f"{stash.url}/plugin/plexsync/css"]}
    assert shown["plexsync"]["settings"][0] == {
        "name": "actor_photos", "display_name": "Performer photos", "type": "BOOLEAN",
        "description": shown["plexsync"]["settings"][0]["description"]}
    assert shown[plugin]["paths"] == {"javascript": [f"{stash.url}/plugin/uitest/javascript"],
                                      "css": [f"{stash.url}/plugin/uitest/css"]}
    assert shown[plugin]["version"] == "1.0"


def test_javascript_and_css_are_the_listed_files_each_followed_by_a_newline(
        stash: StashDouble, plugin: str) -> None:
    script = _get(stash, "/plugin/uitest/javascript")
    assert script.status_code == 200
    assert script.headers["Content-Type"] == "text/javascript"
    assert script.text == (UI_PLUGIN.parent / "uitest.js").read_text() + "\n"
    style = _get(stash, "/plugin/uitest/css")
    assert style.headers["Content-Type"] == "text/css"
    assert style.text == (UI_PLUGIN.parent / "uitest.css").read_text() + "\n"


def test_assets_are_served_from_the_mapped_folder_only(stash: StashDouble, plugin: str) -> None:
    asset = _get(stash, "/plugin/uitest/assets/static/hello.txt")
    assert (asset.status_code, asset.text) == (200, "hello from uitest assets\n")
    assert _get(stash, "/plugin/uitest/assets/static/../uitest.py").status_code == 404
    assert _get(stash, "/plugin/uitest/assets/other/hello.txt").status_code == 404


def test_plugin_routes_refuse_unknown_and_disabled_plugins(stash: StashDouble,
                                                           plugin: str) -> None:
    assert _get(stash, "/plugin/nope/javascript").status_code == 404
    stash.plugins.set_enabled(plugin, False)
    refused = _get(stash, "/plugin/uitest/javascript")
    assert (refused.status_code, refused.text) == (400, "plugin disabled\n")


