"""Browser tests: Stash's real web UI, served by the Stash double in UI mode, in headless
Chromium. Skipped with a reason where ../shared/stash-ui, ../shared/stash-schema or Chromium is
missing; in CI (CI=true, which .ci/run exports after installing Chromium) that fails instead.

Fixtures:
- `stash`: the Stash double in UI mode (overrides tests/conftest.py's, so `harness` gets it too,
  with plexsync installed for runPluginOperation/runPluginTask).
- `browser`: one Chromium per test session (per xdist worker).
- `page`: the browser pointed at this test's double, console captured (`page.errors()`).
- `ui_plugin`: installs the test plugin in tests/ui_plugin/ and returns its id.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import Browser, Page, chromium_missing
from tests.ci import cannot_run
from tests.doubles.stash import StashDouble
from tests.doubles.stash.availability import ui_mode_missing

UI_PLUGIN = Path(__file__).resolve().parent.parent / "ui_plugin" / "uitest.yml"


@pytest.fixture
def stash(ui_stash: StashDouble) -> StashDouble:
    """Browser tests run against the Stash double in UI mode (tests/conftest.py ui_stash)."""
    return ui_stash


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    reason = ui_mode_missing() or chromium_missing()
    if reason:
        cannot_run(reason)
    chromium = Browser()
    yield chromium
    chromium.quit()


@pytest.fixture
def page(browser: Browser, stash: StashDouble) -> Iterator[Page]:
    browser.reset()
    yield Page(browser, stash.url)
    # Leave the app before the double stops, or the page keeps retrying its websocket.
    browser.reset()


@pytest.fixture
def ui_plugin(stash: StashDouble) -> str:
    return stash.install_plugin(UI_PLUGIN)
