"""Headless Chromium for browser tests: Debian's chromium and chromium-driver, driven by Selenium.

Nothing is downloaded at test time: the browser and its driver come from apt (`./dev browser`
installs them; CI's .ci/run does). Flags: without the background-networking ones Chromium keeps
calling home, and this closed network refuses its connections.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage")
WINDOW = (1280, 900)
TIMEOUT = 60.0  # generous: the suite must pass beside another CPU-heavy process
INSTALL_HINT = "install them with `./dev browser` (apt-get install -y chromium chromium-driver)"


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        return f"{' and '.join(missing)} not found; {INSTALL_HINT}"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed; run ./dev test (it installs the test extras)"
    return None


class Browser:
    """One headless Chromium with a fresh profile; `get_log("browser")` reads its console."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self._profile = tempfile.mkdtemp(prefix="plexsync-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={self._profile}")
        options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        self.driver.set_page_load_timeout(TIMEOUT * 2)
        self.driver.set_script_timeout(TIMEOUT)

    def reset(self) -> None:
        """Between tests: a blank page and an empty console."""
        self.driver.get("about:blank")
        self.driver.get_log("browser")

    def quit(self) -> None:
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self._profile, ignore_errors=True)


class Page:
    """The browser pointed at one Stash double: open app paths, wait for DOM conditions,
    read console errors, save screenshots. Every wait has a deadline; nothing sleeps."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.driver = browser.driver
        self.base_url = base_url.rstrip("/")
        self._console: list[dict[str, Any]] = []

    def open(self, path: str) -> None:
        """Loads an app path from the double, as typing it in the address bar would."""
        self.driver.get(self.base_url + path)

    def navigate(self, path: str) -> None:
        """Moves the already loaded app to path, as clicking a link inside it would. Plugin
        pages (/plugin/...) need this: Stash answers 404 to loading them directly."""
        self.run_js("window.history.pushState({}, '', arguments[0]);"
                    "window.dispatchEvent(new PopStateEvent('popstate', {state: {}}));", path)

    def wait(self, condition: Callable[[Any], Any], what: str,
             timeout: float = TIMEOUT) -> Any:
        """WebDriverWait until condition(driver) is truthy; the failure names `what`."""
        from selenium.common.exceptions import TimeoutException
        from selenium.webdriver.support.ui import WebDriverWait

        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition)
        except TimeoutException:
            body = self.run_js("return document.body ? document.body.innerText : ''") or ""
            raise AssertionError(
                f"{what} not seen within {timeout:g}s at {self.driver.current_url}\n"
                f"console errors: {self.errors()}\npage text: {body[:1500]!r}") from None

    def element(self, css: str, timeout: float = TIMEOUT) -> Any:
        """The first element matching css, once it is in the DOM."""
        from selenium.webdriver.common.by import By

        return self.wait(lambda d: (d.find_elements(By.CSS_SELECTOR, css) or [None])[0],
                         f"element {css!r}", timeout)

    def wait_text(self, text: str, css: str = "body", timeout: float = TIMEOUT) -> Any:
        """The first element matching css whose visible text contains text."""
        from selenium.webdriver.common.by import By

        def found(driver: Any) -> Any:
            return next((e for e in driver.find_elements(By.CSS_SELECTOR, css)
                         if text in e.text), None)

        return self.wait(found, f"text {text!r} in {css!r}", timeout)

    def run_js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def run_async_js(self, script: str, *args: Any) -> Any:
        """execute_async_script: the script calls arguments[arguments.length - 1](result)."""
        return self.driver.execute_async_script(script, *args)

    def console(self) -> list[dict[str, Any]]:
        """Every console entry since the test began: {level, message, source, timestamp}."""
        self._console += self.driver.get_log("browser")
        return list(self._console)

    def errors(self) -> list[str]:
        """SEVERE console entries, less the network failures of requests that leave the
        double (the UI's Chromecast script on gstatic.com has no way out of this network)."""
        origin = urlsplit(self.base_url).netloc
        return [entry["message"] for entry in self.console()
                if entry["level"] == "SEVERE"
                and not (entry.get("source") == "network" and origin not in
                         entry["message"].split(" ", 1)[0])]

    def screenshot(self, path: str | Path, css: str | None = None) -> Path:
        """A PNG of the window, or of one element; folders are created."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if css is None:
            self.driver.save_screenshot(str(target))
        else:
            self.element(css).screenshot(str(target))
        return target

    def wait_images_loaded(self, timeout: float = TIMEOUT) -> None:
        """Until every <img> of the page finished loading (or failed): before a screenshot."""
        self.wait(lambda d: d.execute_script(
            "return document.readyState === 'complete' && "
            "Array.from(document.images).every(i => i.complete)"), "images loaded", timeout)
