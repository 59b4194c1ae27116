"""Smoke tests of the browser set-up: Stash's real web UI against the Stash double in UI mode,
in headless Chromium. They prove what the plugin's own UI tests build on: app pages render from
the double's store, a plugin's JavaScript and CSS load through PluginApi, runPluginOperation
reaches plexsync.py and comes back, job updates arrive over the websocket, and no page logs an
error to the console.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlencode

from tests.browser.chromium import Page
from tests.doubles.stash import StashDouble, tiny_png
from tests.harness import Harness

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
UI_PLUGINS = Path(__file__).resolve().parent.parent / "ui_plugin"


def _scene(stash: StashDouble) -> int:
    studio = stash.add_studio("Studio A")
    jane = stash.add_performer("Jane Doe", image=tiny_png("jane"))
    tag = stash.add_tag("Outdoor")
    return stash.add_scene(title="Beach Day", details="Sun and sand.", date="2024-05-06",
                           studio=studio, performers=[jane], tags=[tag],
                           files=[("/media/beach_day.mp4", 123_456, 1800.0)],
                           cover=tiny_png("beach"))


def _open_operation_page(page: Page, plugin_id: str, args: dict) -> None:
    page.open("/")
    page.element(".uitest-nav")  # the plugin's script ran: its routes are registered
    page.navigate("/plugin/uitest-operation?" + urlencode({"plugin": plugin_id,
                                                           "args": json.dumps(args)}))


def _finished_operation(page: Page) -> tuple[str, str]:
    done = page.element("#uitest-operation:not([data-status=running])")
    return done.get_attribute("data-status"), page.element("#uitest-result").text


def test_scene_page_renders_the_scene_from_the_store(page: Page, stash: StashDouble,
                                                      tmp_path: Path) -> None:
    scene_id = _scene(stash)
    page.open(f"/scenes/{scene_id}")
    page.wait_text("Beach Day", "h3.scene-header")
    page.wait_text("Sun and sand.")
    page.wait_images_loaded()
    shot = page.screenshot(tmp_path / "shots" / "scene.png")
    assert shot.read_bytes().startswith(PNG_SIGNATURE)
    assert page.errors() == []


def test_plugin_adds_a_tab_to_the_scene_page(page: Page, stash: StashDouble,
                                              ui_plugin: str) -> None:
    scene_id = _scene(stash)
    page.open(f"/scenes/{scene_id}")
    page.wait_text("UI Test", ".nav-tabs .nav-link").click()
    page.wait_text(f"Scene {scene_id}: Beach Day", "#uitest-scene-panel")
    assert page.errors() == []


def test_plugin_script_and_css_load_through_plugin_api(page: Page, ui_plugin: str) -> None:
    page.open("/")
    page.wait(lambda d: next((link for link in d.find_elements("css selector", ".uitest-nav")
                              if link.is_displayed()), None), "the plugin's navigation link"
              ).click()
    home = page.wait_text("UI test plugin loaded", "#uitest-home")
    # uitest.css colours the page: the /plugin/<id>/css route was loaded by the app
    assert home.value_of_css_property("color") == "rgba(1, 2, 3, 1)"
    assert page.errors() == []


def test_run_plugin_operation_from_the_page_returns_plexsync_output(
        page: Page, harness: Harness, ui_plugin: str) -> None:
    harness.build_sample(3)
    _open_operation_page(page, "plexsync", {"mode": "queue_status"})
    status, text = _finished_operation(page)
    assert status == "done", text
    report = json.loads(text)
    assert report["queue"]["waiting"] == 0
    assert report["dead_letters"]["count"] == 0
    assert page.errors() == []


def test_plugin_error_comes_back_to_the_page_as_a_graphql_error(page: Page,
                                                                 ui_plugin: str) -> None:
    _open_operation_page(page, ui_plugin, {"mode": "fail"})
    assert _finished_operation(page) == ("error", "uitest failed on purpose")


def test_task_progress_reaches_the_task_queue_over_the_websocket(
        page: Page, stash: StashDouble, ui_plugin: str, tmp_path: Path) -> None:
    page.open("/settings?tab=tasks")
    page.wait_text("No tasks are currently running.", ".job-table")
    release = tmp_path / "release"
    job_id = stash.run_plugin_task(ui_plugin, "Hold", args={"release": str(release)})
    # The page loaded before the job existed: it can only learn of it through jobsSubscribe.
    page.wait_text("Running plugin task: Hold")
    page.wait_text("50%", ".job-table .progress-bar")
    release.touch()
    assert stash.wait_for_job(job_id).status == "FINISHED"
    page.wait(lambda d: "Running plugin task: Hold" not in d.find_element("css selector",
                                                                        "body").text,
              "the finished job leaving the queue")
    assert page.errors() == []


def test_an_error_thrown_by_a_plugin_script_is_caught_in_the_console(
        page: Page, stash: StashDouble) -> None:
    stash.install_plugin(UI_PLUGINS / "broken" / "uibroken.yml")
    page.open("/")
    page.wait(lambda _: any("uibroken: thrown on purpose" in e for e in page.errors()),
              "the plugin's error in the console")
    assert any("/plugin/uibroken/javascript" in e for e in page.errors())
