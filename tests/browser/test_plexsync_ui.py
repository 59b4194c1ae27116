"""PlexSync inside Stash's real web UI (issue 14), in headless Chromium against the Stash double
in UI mode: the Plex tab on a scene's page and the PlexSync page, loaded through PluginApi from
plexsync.yml's `ui:` files exactly as Stash loads them. Buttons are clicked as a person clicks
them; assertions are about what the page shows and what Plex and the queue hold afterwards.

`./dev screenshots` runs the tests marked below with PLEXSYNC_SCREENSHOTS=docs, so the README's
pictures are taken by these very tests (otherwise they go to a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sync.state import NOT_FOUND, SyncState
from sync_queue import db, layout
from tests.browser.chromium import WINDOW, Page
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.e2e import accept_posters, refuse_posters
from tests.harness import Harness
from tests.plex_views import titles, writes
from tests.queue_rows import queue_scenes

PNG = b"\x89PNG\r\n\x1a\n"
SETTLED = ".plexsync-scene[data-busy='']"


def picture(page: Page, name: str, tmp_path: Path, height: int | None = None) -> Path:
    """A screenshot of the window, made `height` pixels tall (default: the whole document) so
    the tab or page fits; into docs/ under ./dev screenshots, else this test's folder."""
    folder = Path(os.environ.get("PLEXSYNC_SCREENSHOTS") or tmp_path)
    height = height or page.run_js("return document.documentElement.scrollHeight") + 100
    page.driver.set_window_size(WINDOW[0], min(height, 2400))
    page.run_js("window.scrollTo(0, 0)")
    try:
        shot = page.screenshot(folder / name)
    finally:
        page.driver.set_window_size(*WINDOW)
    assert shot.read_bytes().startswith(PNG)
    return shot


def shown(page: Page, css: str) -> Any:
    """The first element matching css that is displayed (one the user can click)."""
    return page.wait(lambda d: next((e for e in d.find_elements("css selector", css)
                                     if e.is_displayed()), None), f"{css!r} displayed")


def visible_images_loaded(page: Page) -> None:
    """Before a screenshot. Images in hidden tabs may be lazy and never load: only the shown
    ones count."""
    page.wait(lambda d: d.execute_script(
        "return Array.from(document.images).filter(i => i.offsetParent !== null)"
        ".every(i => i.complete)"), "the shown images loaded")


def open_tab(page: Page, scene_id: int) -> Any:
    page.open(f"/scenes/{scene_id}")
    shown(page, ".nav-tabs .plexsync-tab").click()
    return page.element(f"{SETTLED} .plexsync-state")


def state(page: Page, code: str) -> Any:
    return page.element(f"{SETTLED} .plexsync-state[data-state='{code}']")


def click(page: Page, css: str, result: str) -> Any:
    """Click a button of the tab and wait for what its answer shows."""
    shown(page, css).click()
    return page.element(f"{SETTLED} {result}")


def plex_link(plex: PlexDouble, rating_key: str) -> str:
    return (f"{plex.url}/web/index.html#!/server/{plex.settings.machine_id}/details"
            f"?key=%2Flibrary%2Fmetadata%2F{rating_key}")


def assert_clean(page: Page, plex: PlexDouble) -> None:
    """No error from any script in the console, and the token nowhere in the page."""
    assert page.errors() == []
    assert plex.token not in page.run_js("return document.documentElement.outerHTML")


# A light theme as Stash users add one (Settings > Interface > Custom CSS; Stash's own theme is
# dark only: ui/v2.5/src/styles/_theme.scss "Blueprint dark theme").
LIGHT_THEME = """
body, .main, .top-nav, .card, .tab-content, .details-list {
  background-color: #f8f9fa !important; color: #212529 !important; }
.table { color: #212529 !important; }
"""


def use_light_theme(page: Page) -> None:
    page.run_js("const style = document.createElement('style'); style.textContent = arguments[0];"
                "document.head.appendChild(style);", LIGHT_THEME)


def colour(page: Page, css: str) -> str:
    return page.run_js("return getComputedStyle(document.querySelector(arguments[0])).color", css)


def single_file_scenes(sample: Sample) -> list[int]:
    """Scenes in Plex as one item each, with a cover."""
    return [sid for sid in sample.synced_ids()
            if len(sample.rating_keys[sid]) == 1 and sid != sample.coverless_scene]


def test_queued_scene_preview_then_sync_now(page: Page, harness: Harness, stash: StashDouble,
                                           plex: PlexDouble, tmp_path: Path) -> None:
    sample = harness.build_sample(4)
    scene_id = single_file_scenes(sample)[0]
    [rating_key] = sample.rating_keys[scene_id]
    title = stash.scene(scene_id)["title"]
    queue_scenes(harness, [scene_id])

    open_tab(page, scene_id)
    state(page, "queued")
    link = page.element(f"{SETTLED} .plexsync-items .plexsync-open")
    assert link.get_attribute("href") == plex_link(plex, rating_key)
    assert "Scenes" in page.element(".plexsync-items").text

    table = click(page, ".plexsync-preview-button", ".plexsync-preview-table")
    row = table.find_element("css selector", "tr[data-field='Title']")
    assert row.text.endswith(title) and plex.item(rating_key)["fields"]["title"] in row.text
    assert writes(plex) == {}  # a preview writes nothing
    visible_images_loaded(page)
    picture(page, "scene-tab.png", tmp_path, height=1300)

    outcome = click(page, ".plexsync-sync", ".plexsync-outcome")
    assert "Sync now: 1 written" in outcome.text
    state(page, "current")
    assert titles(plex, sample, [scene_id]) == {scene_id: {title}}
    assert harness.queue_counts()["waiting"] == 0
    assert_clean(page, plex)


def test_current_scene_sync_now_sends_nothing(page: Page, harness: Harness,
                                              plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    scene_id = single_file_scenes(sample)[0]
    assert harness.task("sync_all").returncode == 0
    plex.reset_counts()

    open_tab(page, scene_id)
    state(page, "current")
    assert "from Stash's version of" in page.element(".plexsync-last-written").text
    preview = click(page, ".plexsync-preview-button", ".plexsync-preview")
    assert "Nothing would change" in preview.text
    use_light_theme(page)  # the tab has no colour of its own: it follows the theme's
    dark_text = "rgb(33, 37, 41)"
    assert colour(page, ".plexsync-details dd") == colour(page, ".plexsync-nothing") == dark_text
    click(page, ".plexsync-sync", ".plexsync-outcome.alert-success")
    state(page, "current")
    assert writes(plex) == {}
    assert_clean(page, plex)


def test_review_scene_shows_its_candidates_and_is_not_written(
        page: Page, harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    moved = stash.add_scene(title="Moved in Plex", files=[("/data/stash/a/odd-one.mp4", 77_777)])
    moved_key = plex.add_item(sample.section_id, file="/media/plex/b/odd-one.mp4", size=77_777)

    open_tab(page, moved)
    state(page, "review")
    candidate = page.element(".plexsync-candidates")
    assert "/media/plex/b/odd-one.mp4" in candidate.text
    assert candidate.find_element("css selector", "a").get_attribute("href") == \
        plex_link(plex, moved_key)
    preview = click(page, ".plexsync-preview-button", ".plexsync-preview")
    assert "needs review" in preview.text
    click(page, ".plexsync-sync", ".plexsync-outcome")
    state(page, "review")
    assert plex.item(moved_key)["fields"]["title"] == "odd-one"  # never written
    assert_clean(page, plex)


def test_scene_not_in_plex_is_looked_for_again(page: Page, harness: Harness,
                                               plex: PlexDouble) -> None:
    sample = harness.build_sample(3, missing=1)
    [unscanned] = sample.missing
    items = len(plex.items())

    open_tab(page, unscanned)
    state(page, "not_in_plex")
    assert "No Plex item has /media/plex/" in page.element(".plexsync-state-detail").text
    preview = click(page, ".plexsync-preview-button", ".plexsync-preview")
    assert "Nothing would be written: no Plex item has its file." in preview.text
    assert writes(plex) == {}
    click(page, ".plexsync-sync", ".plexsync-outcome.alert-warning")
    retrying = state(page, "retrying")
    assert "not found in Plex yet" in page.element(".plexsync-state-detail").text
    assert retrying.text == "Looking again"  # no failure: no attempt used
    assert len(plex.items()) == items and writes(plex) == {}
    assert_clean(page, plex)


def park_not_found(harness: Harness, scene_id: int, files: list[str]) -> None:
    """What the worker records after looking for a file in Plex four times over half an hour
    (sync/failure.py NOT_FOUND_DELAYS; tests/test_e2e_status.py goes through it for real)."""
    conn = db.connect(harness.data_dir / layout.STATE_DB)
    try:
        SyncState(conn).update_status(scene_id, NOT_FOUND, {"files": files})
    finally:
        conn.close()


def test_status_page_retry_empties_the_dead_letters(
        page: Page, harness: Harness, stash: StashDouble, plex: PlexDouble,
        tmp_path: Path) -> None:
    sample = harness.build_sample(6, missing=1)
    refused = single_file_scenes(sample)[:2]
    moved = stash.add_scene(title="Moved in Plex", files=[("/data/stash/a/odd-one.mp4", 77_777)])
    plex.add_item(sample.section_id, file="/media/plex/b/odd-one.mp4", size=77_777)
    # Two dead letters for real (Plex refuses their posters, max_retries 0) and a near miss.
    harness.configure(max_retries=0)
    refuse_posters(plex, [sample.rating_keys[sid][0] for sid in refused])
    queue_scenes(harness, [*refused, moved])
    assert harness.task("process_queue").returncode == 0
    [unscanned] = sample.missing
    park_not_found(harness, unscanned, [f["path"] for f in stash.scene(unscanned)["files"]])

    page.open("/")
    shown(page, ".plexsync-nav").click()  # PlexSync's button in Stash's navigation bar
    group = page.element(".plexsync-group[data-reason='bad_data:400']")
    assert page.element(".plexsync-dead h1").text == "Dead letters: 2"
    assert group.find_element("css selector", "h6").text.startswith(
        "Plex refused a value (HTTP 400) (2)")
    assert "Plex refused the poster upload (HTTP 400)" in group.text
    assert "http" not in group.text and "BadRequest" not in group.text
    links = {a.get_attribute("href") for a in group.find_elements("css selector", "a")}
    assert links == {f"{stash.url}/scenes/{sid}" for sid in refused}
    assert "Moved in Plex" in page.element(".plexsync-review").text
    assert page.element(".plexsync-not-found a").get_attribute("href") == \
        f"{stash.url}/scenes/{unscanned}"
    page.element(".plexsync-health-run").click()
    page.wait_text("Everything is in place.", ".plexsync-health-verdict")
    picture(page, "status-page.png", tmp_path)

    accept_posters(plex)  # the cause fixed: Retry puts them back and the worker writes them
    group.find_element("css selector", ".plexsync-retry").click()
    page.wait_text("moved 2 dead letter(s) back onto the queue", ".plexsync-note")
    page.wait_text("Dead letters: 0", ".plexsync-dead h1")
    harness.wait_drained()
    assert harness.dead_letters() == []
    assert all(plex.item(sample.rating_keys[sid][0])["poster_sha1"] for sid in refused)
    assert_clean(page, plex)


def test_from_the_plugin_settings_the_page_starts_process_queue_as_a_task(
        page: Page, harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    scene_id = single_file_scenes(sample)[0]
    queue_scenes(harness, [scene_id])

    page.open("/settings?tab=plugins")
    page.wait_text("Open the PlexSync page", ".plexsync-settings-link a").click()
    page.wait_text("1 pending", ".plexsync-queue")
    assert page.driver.current_url == f"{stash.url}/plexsync"
    [button] = [b for b in page.driver.find_elements("css selector", ".plexsync-task")
                if b.text == "Process Queue"]
    button.click()
    note = page.wait_text("Process Queue started (job ", ".plexsync-note").text
    job = stash.wait_for_job(int(note.split("(job ")[1].split(")")[0]))
    assert job.status == "FINISHED" and job.progress == 1.0  # Stash's progress bar, to the end
    assert titles(plex, sample, [scene_id]) == {scene_id: {stash.scene(scene_id)["title"]}}
    shown(page, ".plexsync-reload").click()
    page.wait_text("0 pending", ".plexsync-queue")
    assert_clean(page, plex)


def test_on_a_stash_without_scene_tabs_the_page_links_each_scene_to_its_plex_panel(
        page: Page, harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    # ScenePage.Tabs/TabContent came with Stash v0.28.0 (stashapp/stash PR #5703); the plugin
    # reads Stash's version. The UI served is still v0.30.1's: only the plugin's choice is shown.
    stash.version = "v0.27.2"
    sample = harness.build_sample(2)
    moved = stash.add_scene(title="Moved in Plex", files=[("/data/stash/a/odd-one.mp4", 77_777)])
    plex.add_item(sample.section_id, file="/media/plex/b/odd-one.mp4", size=77_777)
    queue_scenes(harness, [moved])
    assert harness.task("process_queue").returncode == 0

    page.open("/plexsync")
    page.wait_text("Plex status", ".plexsync-review a").click()
    state(page, "review")
    assert page.driver.current_url == f"{stash.url}/plexsync/scenes/{moved}"
    assert "/media/plex/b/odd-one.mp4" in page.element(".plexsync-candidates").text
    assert_clean(page, plex)


def test_error_answers_are_clear_messages(page: Page, harness: Harness,
                                          plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    scene_id = sample.scene_ids[0]

    page.open("/plexsync/scenes/999")  # the page for a Stash without scene tabs
    page.wait_text("PlexSync could not answer: Stash has no scene 999 (deleted?)",
                   ".plexsync-error")

    harness.configure(plex_token="wrong-token")
    open_tab(page, scene_id)
    state(page, "unsynced")  # what PlexSync knows without Plex
    page.wait_text("Plex could not be asked: Plex rejected the token (401)",
                   ".plexsync-plex-error")
    error = click(page, ".plexsync-sync", ".plexsync-error")
    assert error.text.startswith("Sync now failed: Plex rejected the token (401)")

    harness.configure(plex_url=None)
    page.open("/plexsync")
    page.wait_text("PlexSync could not answer: ", ".plexsync-error")
    assert "plex_url" in page.element(".plexsync-error").text
    assert_clean(page, plex)
