"""End-to-end: Plex over HTTPS (issue 12).

Users reach Plex at https://<ip>:32400, whose certificate Plex has issued for
*.<id>.plex.direct (so the name never matches an IP address), or behind a reverse proxy with a
self-signed certificate. requests refuses both; that is a setting to fix, not an outage:
plex_certificate names the PEM file to trust, or 'any' to skip the check (as Kometa's
`plex: verify_ssl: false`, Kometa-Team/Kometa: modules/config.py). The Plex double serves HTTPS
with a certificate made at test time (tests/doubles/tls.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.doubles.tls import Certificate, make_certificate
from tests.e2e import assert_replied, assert_waited_for_nothing, run_task
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import queue_rows


@pytest.fixture
def https(tmp_path: Path) -> Iterator[tuple[PlexDouble, Certificate]]:
    certificate = make_certificate(tmp_path / "tls")
    with PlexDouble(tls=certificate) as plex:
        yield plex, certificate


@pytest.fixture
def plex_direct(tmp_path: Path) -> Iterator[tuple[PlexDouble, Certificate]]:
    """Plex's own certificate: made out to *.<server id>.plex.direct, reached by IP."""
    certificate = make_certificate(tmp_path / "tls", ["*.0123456789abcdef.plex.direct"])
    with PlexDouble(tls=certificate) as plex:
        yield plex, certificate


def _harness(stash: StashDouble, plex: PlexDouble, tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(stash, plex, tmp_path)
    yield harness
    harness.kill_drainers()


@pytest.fixture
def over_https(stash: StashDouble, https: tuple[PlexDouble, Certificate],
               tmp_path: Path) -> Iterator[Harness]:
    yield from _harness(stash, https[0], tmp_path)


@pytest.fixture
def over_plex_direct(stash: StashDouble, plex_direct: tuple[PlexDouble, Certificate],
                     tmp_path: Path) -> Iterator[Harness]:
    yield from _harness(stash, plex_direct[0], tmp_path)


def _refused(harness: Harness, says: str) -> None:
    """The run stops at its first look: the handshake fails, so no request reaches Plex."""
    started = time.monotonic()
    run = run_task(harness, "Sync All Scenes")
    assert_waited_for_nothing(time.monotonic() - started)
    assert dict(harness.plex.counts) == {}
    assert run.returncode == 1, run.stderr
    error = run.result["error"]
    assert error.startswith(f"Plex's HTTPS certificate was not accepted ({says}): set "
                            "plex_certificate to the certificate's PEM file"), error
    assert run.messages("error") == [error]
    assert harness.dead_letters() == []
    assert all(job["attempts"] == 0 for _, job in queue_rows(harness))


def test_a_self_signed_certificate_is_refused_until_trusted(
        over_https: Harness, stash: StashDouble, https: tuple[PlexDouble, Certificate]) -> None:
    plex, certificate = https
    sample = over_https.build_sample(4)
    assert plex.url.startswith("https://")

    _refused(over_https, "self-signed certificate")
    assert over_https.queue_counts()["waiting"] == 4

    over_https.configure(plex_certificate=str(certificate.cert))
    assert_replied(over_https, run_task(over_https, "Sync All Scenes"))
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(over_https) == [] and over_https.dead_letters() == []


def test_plexs_own_certificate_by_ip_needs_any(
        over_plex_direct: Harness, stash: StashDouble,
        plex_direct: tuple[PlexDouble, Certificate]) -> None:
    plex, certificate = plex_direct
    sample = over_plex_direct.build_sample(3)
    # Trusting the certificate is not enough: it names *.plex.direct, not 127.0.0.1.
    over_plex_direct.configure(plex_certificate=str(certificate.cert))
    _refused(over_plex_direct, "IP address mismatch, certificate is not valid for '127.0.0.1'.")

    over_plex_direct.configure(plex_certificate="any")
    run = run_task(over_plex_direct, "Sync All Scenes")
    assert_replied(over_plex_direct, run)  # and no urllib3 warning in the log (raw lines)
    assert "InsecureRequestWarning" not in run.stderr
    assert stale_scenes(stash, plex, sample) == {}


def test_health_check_names_the_certificate_setting(
        over_https: Harness, https: tuple[PlexDouble, Certificate]) -> None:
    over_https.build_sample(2)
    report = assert_replied(over_https, run_task(over_https, "Health Check"))
    failed = [check for check in report["checks"] if not check["ok"]]
    assert [check["check"] for check in failed] == ["plex"]
    assert "plex_certificate" in failed[0]["detail"]

    over_https.configure(plex_certificate=str(https[1].cert))
    report = assert_replied(over_https, run_task(over_https, "Health Check"))
    assert report["ok"] is True


def test_https_to_a_plain_http_plex_names_plex_url(harness: Harness, plex: PlexDouble) -> None:
    harness.build_sample(2)
    harness.configure(plex_url=plex.url.replace("http://", "https://"))
    run = run_task(harness, "Sync All Scenes")
    assert run.returncode == 1
    assert run.result["error"].startswith("plex_url starts with https:// but the server there "
                                          "answers plain HTTP: use http:// in plex_url")


def test_a_certificate_file_that_is_not_there_is_an_invalid_setting(harness: Harness,
                                                                    tmp_path: Path) -> None:
    harness.build_sample(1)
    missing = tmp_path / "gone.pem"
    harness.configure(plex_certificate=str(missing))
    run = run_task(harness, "Sync All Scenes")
    assert run.returncode == 1
    assert run.result["error"] == (
        f"Invalid PlexSync settings: plex_certificate: no file at {str(missing)!r}: give the "
        "PEM file of the certificate to trust, or 'any' to accept any certificate")
