"""Tests that cannot run here skip with a reason, except in CI: .ci/run exports CI=true and has
all they need (Chromium, installed first; ../shared beside the clone), so there a skip would
only hide a test that must run, and it fails instead."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def cannot_run(reason: str) -> NoReturn:
    """Skip the calling test with `reason`; in CI, fail it."""
    if in_ci():
        pytest.fail(f"CI must run this test (.ci/run provides what it needs): {reason}",
                    pytrace=False)
    pytest.skip(reason)
