"""End to end: the settings page tells the truth after PlexSync's first run.

Stash shows a never-saved BOOLEAN setting as off, whatever PlexSync's default is, so the first
run saves the effective defaults back into Stash (configurePlugin replaces the whole map) and
keeps every value the user saved. The manifest's wording is covered by tests/test_manifest.py;
here the defaults are read from it as a user reads the page.
"""

from __future__ import annotations

import re

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import assert_replied, run_task
from tests.harness import Harness
from tests.manifest import manifest
from tests.schema_fidelity import assert_recorded_queries_valid
from validation.config import BOOLEAN_SETTINGS

_STATED = re.compile(r"^Default (on|off)\. ")


def stated_defaults() -> dict[str, bool]:
    """Every BOOLEAN setting with the default its description on the settings page states."""
    found = {}
    for name, spec in manifest()["settings"].items():
        if spec["type"] == "BOOLEAN":
            stated = _STATED.match(spec["description"])
            assert stated, name
            found[name] = stated.group(1) == "on"
    return found


def saves(stash: StashDouble) -> list[dict]:
    """Every settings map PlexSync asked Stash to store."""
    return [variables["input"] for query, variables in stash.queries
            if "configurePlugin" in query]


def test_first_run_saves_every_boolean_default_the_page_states(
    harness: Harness, stash: StashDouble
) -> None:
    harness.build_sample(2)
    defaults = stated_defaults()
    assert sorted(defaults) == sorted(BOOLEAN_SETTINGS)
    before = dict(stash.plugin_settings["plexsync"])

    run = run_task(harness, "Queue Status")
    assert_replied(harness, run)
    saved = stash.plugin_settings["plexsync"]
    assert saved == {**before, **defaults}
    assert f"saved PlexSync's defaults for {', '.join(sorted(defaults))} so the settings page " \
           "shows them" in run.messages("info")

    assert_replied(harness, run_task(harness, "Queue Status"))
    assert len(saves(stash)) == 1  # once saved, never again
    assert stash.plugin_settings["plexsync"] == saved
    assert_recorded_queries_valid(stash.queries)


def test_the_users_own_values_are_kept_and_take_effect(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(3)
    own = {"strict_matching": False, "sync_rating": True, "lock_fields": False,
           "sync_poster": False, "content_rating": "XXX", "max_retries": 2}
    harness.configure(**own)
    before = dict(stash.plugin_settings["plexsync"])

    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    saved = stash.plugin_settings["plexsync"]
    assert {name: saved[name] for name in before} == before
    assert {name: saved[name] for name in BOOLEAN_SETTINGS if name not in own} == {
        name: value for name, value in stated_defaults().items() if name not in own}
    item = plex.item(sample.rating_keys[sample.scene_ids[0]][0])  # written as the user chose
    assert item["fields"]["contentRating"] == "XXX"
    assert item["locked"] == set() and item["poster_sha1"] is None
    rating = stash.scene(sample.scene_ids[0])["rating100"]
    assert item["fields"]["userRating"] == (rating / 10 if rating else None)
    assert_recorded_queries_valid(stash.queries)


def test_a_fresh_install_gets_its_defaults_saved_before_plex_is_configured(
    harness: Harness, stash: StashDouble
) -> None:
    harness.configure(plex_url=None, plex_token=None)
    run = run_task(harness, "Queue Status")
    assert run.returncode == 1
    assert run.result == {"output": None,
                          "error": "Invalid PlexSync settings: plex_url: is not set; "
                                   "plex_token: is not set"}
    assert stash.plugin_settings["plexsync"] == {"data_dir": str(harness.data_dir),
                                                 **stated_defaults()}
    assert_recorded_queries_valid(stash.queries)


def test_a_saved_value_of_the_wrong_type_is_reported_not_replaced(
    harness: Harness, stash: StashDouble
) -> None:
    harness.build_sample(2)
    harness.configure(sync_title="yes")  # saved through the API, not the page's toggle
    run = run_task(harness, "Sync All Scenes")
    assert run.returncode == 1
    assert run.result["error"] == ("Invalid PlexSync settings: sync_title: must be true or "
                                   "false, got 'yes'")
    assert stash.plugin_settings["plexsync"]["sync_title"] == "yes"  # the user fixes it
    assert all(value["sync_title"] == "yes" for value in saves(stash))
    assert_recorded_queries_valid(stash.queries)
