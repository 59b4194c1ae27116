"""Failure decisions, backoff, the circuit breaker and the recent-window filter: pure logic."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest
import requests
from plexapi.exceptions import BadRequest, NotFound, Unauthorized

from stash.errors import StashError, StashLoginRejected
from sync.breaker import MAX_PAUSE, TRIP_AFTER, Breaker
from worker.classify import classify
from worker.recent import recent_filter, since_text
from worker.retry import (
    MAX_DELAY,
    Action,
    Failure,
    Kind,
    backoff,
    decide,
    not_found_delay,
)


@pytest.mark.parametrize(
    ("exc", "kind", "status"),
    [
        (Unauthorized("(401) unauthorized; http://x"), Kind.CONFIG, 401),
        (NotFound("(404) not_found; http://x"), Kind.ITEM_GONE, 404),
        (BadRequest("(503) service_unavailable; http://x Maintenance"), Kind.TRANSIENT, 503),
        (BadRequest("(500) internal_server_error; http://x"), Kind.TRANSIENT, 500),
        (BadRequest("(400) bad_request; http://x"), Kind.BAD_DATA, 400),
        (BadRequest("(403) forbidden; http://x"), Kind.CONFIG, 403),
        (BadRequest("(414) request_uri_too_large; http://x"), Kind.ERROR, 414),
        (requests.ConnectionError("refused"), Kind.TRANSIENT, None),
        (requests.ReadTimeout("slow"), Kind.TRANSIENT, None),
        (StashError("Stash query failed"), Kind.STASH, None),
        (StashLoginRejected(), Kind.STASH_LOGIN, 401),
        (KeyError("bug"), Kind.ERROR, None),
    ],
)
def test_classification_is_by_type_and_status(exc: Exception, kind: Kind, status: int) -> None:
    failure = classify(exc)
    assert (failure.kind, failure.status) == (kind, status)


@pytest.mark.parametrize("kind", [Kind.TRANSIENT, Kind.STASH])
def test_outages_never_use_up_retries_nor_reach_the_dead_letters(kind: Kind) -> None:
    outage = Failure(kind, "down")
    for attempts in (0, 5, 100):
        decision = decide(outage, attempts, max_retries=3)
        assert decision.action is Action.RETRY and not decision.counts_as_attempt


@pytest.mark.parametrize("kind", [Kind.CONFIG, Kind.STASH_LOGIN])
def test_a_wrong_setting_or_refused_login_stops_the_drain_without_counting(kind: Kind) -> None:
    decision = decide(Failure(kind, "401"), 0, 5)
    assert decision.action is Action.STOP and not decision.counts_as_attempt


def test_a_gone_item_is_matched_again_once_then_counts() -> None:
    gone = Failure(Kind.ITEM_GONE, "404")
    assert decide(gone, 0, 5).action is Action.REMATCH
    assert decide(gone, 1, 5).action is Action.RETRY


def test_other_errors_go_to_the_dead_letters_after_max_retries() -> None:
    bug = Failure(Kind.ERROR, "boom")
    assert [decide(bug, n, 2).action for n in range(3)] == [Action.RETRY, Action.RETRY,
                                                              Action.DEAD]
    assert decide(bug, 0, 0).action is Action.DEAD


def test_backoff_grows_with_jitter_and_a_ceiling() -> None:
    rng = random.Random(1)
    delays = [backoff(n, rng) for n in range(12)]
    assert all(0 < d <= MAX_DELAY for d in delays)
    assert delays[0] <= 2.0 and delays[5] > delays[0] and delays[-1] >= MAX_DELAY / 2


def test_not_found_is_looked_for_again_then_parked() -> None:
    delays = [not_found_delay(n) for n in range(6)]
    assert delays[:4] == sorted(delays[:4]) and delays[4] is None and delays[5] is None


def test_breaker_trips_pauses_probes_and_closes() -> None:
    breaker = Breaker()
    for n in range(TRIP_AFTER):
        breaker = breaker.failure(100.0 + n)
    assert breaker.state == "open" and not breaker.allows(breaker.opened_at + 1)
    assert breaker.allows(breaker.probe_at())
    probing = breaker.probing(breaker.probe_at())
    assert probing.state == "half_open"
    again = probing.failure(probing.probe_at())
    assert again.state == "open" and again.pause == min(MAX_PAUSE, breaker.pause * 2)
    assert again.success() == Breaker()


def test_the_runs_first_look_at_plex_trips_at_once() -> None:
    tripped = Breaker().trip(100.0)
    assert tripped.state == "open" and tripped.opened_at == 100.0 and not tripped.allows(101.0)
    probing = tripped.probing(tripped.probe_at())
    assert probing.trip(200.0) == probing.failure(200.0)  # a failed probe backs off further


def test_since_text_uses_stashs_zone_and_overlaps() -> None:
    now = datetime(2026, 11, 25, 12, 0, 0, tzinfo=timezone.utc)
    assert since_text(now, 24, "2026-11-25T10:00:00+01:00") == "2026-11-24T12:58:00+01:00"
    assert since_text(now, 1, "2026-11-25T10:00:00Z") == "2026-11-25T10:58:00Z"
    assert recent_filter(None, 24) is None
    assert recent_filter("2026-11-25T10:00:00-05:00", 2, now) == {
        "updated_at": {"value": "2026-11-25T04:58:00-05:00", "modifier": "GREATER_THAN"}}


def test_a_new_scenes_cover_is_looked_for_on_the_after_scan_schedule() -> None:
    from worker.retry import cover_delay

    assert [cover_delay(n) for n in range(5)] == [3.0, 60.0, 300.0, 1800.0, None]
