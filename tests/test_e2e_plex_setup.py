"""End-to-end: a wrong Plex setting is the run's failure, not every scene's; a task that could not
do its work says so (issue 12).

plex_url leading to something that is not Plex, plex_library naming no movie library, a
rejected token: the run stops at the first look at Plex, before any scene, keeps every job where
it was (no attempt counted, no dead letter) and the task (or the background worker, through the
next hook) gives one message naming the setting. Plex down, hanging or refusing the token makes
every writing task reply with an error (Stash marks it failed) saying the changes are kept.
"""

from __future__ import annotations

import time

import pytest

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.faults import GARBAGE, IMPOSTORS
from tests.doubles.stash import StashDouble
from tests.e2e import assert_replied, assert_waited_for_nothing, run_task
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.plugin_run import PluginRun
from tests.queue_rows import queue_rows, queue_scenes

NOT_PLEX = "does not lead to Plex Media Server"
WRITING_TASKS = ("Sync All Scenes", "Sync Recent Scenes", "Process Queue", "Reconcile")


def _stopped_once(run: PluginRun, took: float, says: str, hung: int = 0,
                  plex_timeout: float = 0.0) -> str:
    """The task failed with one message, logged once, without waiting for anything (the
    requests it made are each test's to count); returns the message."""
    assert_waited_for_nothing(took, hung, plex_timeout)
    assert run.returncode == 1, run.stderr
    error = run.result["error"]
    assert says in error, error
    assert run.messages("error") == [error]
    return error


def _kept(harness: Harness, count: int) -> None:
    """Every job where it was: queued, no attempt counted, nothing in the dead letters."""
    rows = queue_rows(harness)
    assert len(rows) == count and all(job["attempts"] == 0 for _, job in rows), rows
    assert harness.queue_counts()["taken"] == 0
    assert harness.dead_letters() == []


def _timed(harness: Harness, name: str) -> tuple[PluginRun, float]:
    started = time.monotonic()
    run = run_task(harness, name)
    return run, time.monotonic() - started


# --- a wrong setting stops the run ------------------------------------------------------------

@pytest.mark.parametrize("impostor", sorted(IMPOSTORS))
def test_plex_url_leading_elsewhere_stops_with_one_message(
        harness: Harness, plex: PlexDouble, impostor: str) -> None:
    sample = harness.build_sample(4)
    queue_scenes(harness, sample.scene_ids)
    plex.impostor = impostor

    run, took = _timed(harness, "Process Queue")

    error = _stopped_once(run, took, f"plex_url {plex.url} {NOT_PLEX}")
    assert "Set plex_url to your Plex server's address" in error
    assert error.endswith("4 queued change(s) are kept and will be written once that is fixed "
                          "(then run Process Queue)")
    _kept(harness, 4)
    assert dict(plex.counts) == {"identity": 1}  # what answers there is not Plex: no more


def test_a_root_answer_that_is_not_plex_also_names_plex_url(harness: Harness,
                                                            plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    queue_scenes(harness, sample.scene_ids)
    plex.faults.garbage = {"root": GARBAGE["html"]}  # /identity fine, `/` a sign-in page

    run, took = _timed(harness, "Process Queue")

    _stopped_once(run, took, f"plex_url {plex.url} {NOT_PLEX}: / answered something that "
                             "is not Plex's XML")
    _kept(harness, 3)
    assert dict(plex.counts) == {"identity": 1, "root": 1}


@pytest.mark.parametrize(("plex_library", "says"), [
    ("Scenes, Clips", "Plex has no movie library named Clips (plex_library); its movie "
                      "libraries: Scenes"),
    ("TV Shows", "Plex has no movie library named TV Shows (plex_library)"),
    (None, "Plex has no movie-type library"),
])
def test_plex_library_naming_no_movie_library_stops_with_one_message(
        harness: Harness, plex: PlexDouble, plex_library: str | None, says: str) -> None:
    sample = harness.build_sample(3)
    plex.add_section("TV Shows", ["/tv"], agent="tv.plex.agents.series", type="show")
    if plex_library is None:  # every movie library gone: nothing PlexSync could write into
        plex.store.sections.pop(sample.section_id)
    harness.configure(plex_library=plex_library)
    queue_scenes(harness, sample.scene_ids)

    run, took = _timed(harness, "Process Queue")

    _stopped_once(run, took, says)
    _kept(harness, 3)
    assert dict(plex.counts) == {"identity": 1, "root": 1, "sections": 1}


def test_the_background_worker_stops_too_and_the_next_run_relays_the_message(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    plex.impostor = "web_page"
    scene_id = sample.scene_ids[0]

    assert harness.hook(scene_id).returncode == 0  # queues, starts the background worker
    harness.wait_until(lambda: (harness.data_dir / layout.DRAINER_PID).exists()
                       and not harness.drainer_running() and harness.drainer_pid() is None,
                       what="the worker ran and stopped")
    _kept(harness, 1)
    assert dict(plex.counts) == {"identity": 1}  # the worker looked once and stopped
    relayed = harness.hook(scene_id)
    errors = [text for text in relayed.messages("error") if NOT_PLEX in text]
    assert len(errors) == 1 and "1 queued change(s) are kept" in errors[0], relayed.stderr

    plex.impostor = None  # the user points plex_url at Plex again
    run = run_task(harness, "Process Queue")
    assert run.returncode == 0, run.stderr
    harness.wait_drained()
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    assert stash.scene(scene_id)["title"] in {plex.item(rk)["fields"]["title"]
                                              for rk in sample.rating_keys[scene_id]}


# --- a task that could not do its work says so -------------------------------------------------

HUNG_TIMEOUT = 1  # plex_timeout while Plex hangs


def _plex_down(harness: Harness, plex: PlexDouble) -> tuple[str, dict[str, int]]:
    """Each trouble returns what the task says, and the requests Plex gets: the look's first,
    and nothing after it."""
    plex.go_down()
    return "Plex is unreachable (Connection refused)", {}


def _plex_hangs(harness: Harness, plex: PlexDouble) -> tuple[str, dict[str, int]]:
    harness.configure(plex_timeout=HUNG_TIMEOUT)
    plex.hang = True  # the one request a plex_timeout allows, left unanswered
    return "Plex did not answer within plex_timeout", {"identity": 1}


def _token_refused(harness: Harness, plex: PlexDouble) -> tuple[str, dict[str, int]]:
    plex.token = "changed-after-a-password-reset"
    return "Plex rejected the token (401): set plex_token", {"identity": 1, "root": 1}


@pytest.mark.parametrize("trouble", [_plex_down, _plex_hangs, _token_refused],
                         ids=["down", "hanging", "token-refused"])
@pytest.mark.parametrize("task", WRITING_TASKS)
def test_a_task_plex_kept_from_its_work_fails_saying_the_changes_are_kept(
        harness: Harness, plex: PlexDouble, task: str, trouble: object) -> None:
    sample = harness.build_sample(3)
    queue_scenes(harness, sample.scene_ids[:1])  # a change from before, for Reconcile too
    says, requests = trouble(harness, plex)  # type: ignore[operator]

    run, took = _timed(harness, task)

    hung = len(requests) if plex.hang else 0
    error = _stopped_once(run, took, says, hung, HUNG_TIMEOUT)
    assert error.startswith(says)
    assert dict(plex.counts) == requests
    when = "once that is fixed" if "token" in says else "when Plex answers"
    assert " queued change(s) are kept and will be written " + when in error
    assert harness.dead_letters() == []
    assert all(job["attempts"] == 0 for _, job in queue_rows(harness))
    assert harness.queue_counts()["waiting"] >= 1


# --- a token that can read but not edit ---------------------------------------------------------

SHARED_TOKEN = "a-shared-users-token"
READ_ONLY = ("although the token can read the libraries: plex_token belongs to a shared or "
             "managed user, who can watch but not edit. Set plex_token to the server owner's "
             "token")


@pytest.mark.parametrize("status", [401, 403])
def test_a_token_that_reads_but_may_not_edit_stops_with_its_cause(
        harness: Harness, stash: StashDouble, plex: PlexDouble, status: int) -> None:
    sample = harness.build_sample(6)
    plex.read_only_token = SHARED_TOKEN
    plex.read_only_status = status
    harness.configure(plex_token=SHARED_TOKEN, plex_concurrency=2)
    before = {rk: plex.item(rk) for keys in sample.rating_keys.values() for rk in keys}

    run, took = _timed(harness, "Sync All Scenes")

    error = _stopped_once(run, took, f"Plex refused an edit ({status}) {READ_ONLY}")
    assert error.endswith("6 queued change(s) are kept and will be written once that is fixed "
                          "(then run Process Queue)")
    _kept(harness, 6)
    assert {rk: plex.item(rk) for rk in before} == before  # nothing changed in Plex
    # The writes in flight when the first refusal came back, no more.
    assert plex.counts["upload_poster"] + plex.counts["edit"] <= 2

    harness.configure(plex_token=plex.token)  # the owner's token
    run = run_task(harness, "Process Queue")
    assert run.returncode == 0, run.stderr
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    assert stale_scenes(stash, plex, sample) == {}


def test_health_check_tells_whether_the_token_can_edit(harness: Harness,
                                                       plex: PlexDouble) -> None:
    harness.build_sample(2)
    report = assert_replied(harness, run_task(harness, "Health Check"))
    token = next(check for check in report["checks"] if check["check"] == "token")
    assert token["ok"] and "can edit the libraries (the server owner's token)" in token["detail"]

    plex.read_only_token = SHARED_TOKEN
    harness.configure(plex_token=SHARED_TOKEN)
    report = assert_replied(harness, run_task(harness, "Health Check"))
    assert report["ok"] is False
    assert report["checks"][-1] == {
        "check": "token", "ok": False,
        "detail": "the token can read the libraries but cannot edit them: it belongs to a "
                  "shared or managed user. Set plex_token to the server owner's token"}
