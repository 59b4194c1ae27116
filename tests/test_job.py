"""A job's Intent: typed fields stored as bits, and how v0.1's reason strings map to them."""

from __future__ import annotations

import itertools

import pytest

from sync_queue import legacy
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE, Intent


def test_every_intent_survives_its_bits() -> None:
    for flags in itertools.product((False, True), repeat=len(Intent._fields)):
        intent = Intent(*flags)
        assert Intent.from_bits(intent.bits) == intent
    assert CHANGED.bits == 0 and len({i.bits for i in (CHANGED, NEW_SCENE, RECHECK, REWRITE)}) == 4


def test_joining_requests_is_or_of_their_bits() -> None:
    assert Intent.from_bits(NEW_SCENE.bits | RECHECK.bits) == Intent(
        recheck=True, scan_if_missing=True, await_cover=True)


@pytest.mark.parametrize(("reason", "force", "intent"), [
    ("hook", False, CHANGED),
    ("update", False, CHANGED),
    ("sync_all", False, CHANGED),
    ("sync_recent", False, CHANGED),
    ("create", False, NEW_SCENE),
    ("reconcile", True, RECHECK),
    ("sync_all_force", True, REWRITE),
    ("retry", True, RECHECK),  # v0.1 had already lost a retried letter's rewrite
    ("retry", False, CHANGED),
])
def test_v01_reasons_map_to_what_they_did(reason: str, force: bool, intent: Intent) -> None:
    assert legacy.intent(reason, force) == intent
