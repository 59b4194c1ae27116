"""Health Check: is everything PlexSync needs in place, and if not, what exactly to fix."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

import requests

from stash import log
from stash.client import StashClient
from stash.protocol import PluginInput, UserError
from sync.matching import PathIndex, name_key
from sync.paths import normalize, to_plex
from sync_queue.datadir import resolve_data_dir
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker import defunct, deps
from worker.classify import classify
from worker.context import Context, load_config

SAMPLE = 25


class _Report:
    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append({"check": name, "ok": ok, "detail": detail})
        (log.info if ok else log.error)(f"[{'OK' if ok else 'FAIL'}] {name}: {detail}")
        return ok


def _identity(config: PlexSyncConfig) -> str:
    response = requests.get(f"{config.plex_url}/identity", timeout=config.plex_timeout)
    response.raise_for_status()
    return "Plex answers at " + config.plex_url


def _path_map(report: _Report, ctx: Context, index: PathIndex) -> None:
    """The most common misconfiguration: Stash and Plex see the files under other prefixes."""
    scenes = [Scene.from_stash(raw) for raw in islice(ctx.stash.iter_scenes(SAMPLE), SAMPLE)]
    files = [f for s in scenes for f in s.files[:1]]
    if not files:
        report.add("path_map", True, "Stash has no scene files to check yet")
        return
    path_map = ctx.config.path_map
    missing = [f for f in files if not index.by_path(normalize(to_plex(f.path, path_map)))]
    if not missing:
        report.add("path_map", True, f"all {len(files)} sampled Stash files are known to Plex")
        return
    first = missing[0]
    mapped = to_plex(first.path, ctx.config.path_map)
    alike = index.by_name_size(name_key(mapped), first.size)
    hint = (f"; Plex has a file of that name and size at {alike[0].file!r}: make path_map "
            "turn the Stash prefix into that Plex prefix" if alike else "")
    report.add("path_map", len(missing) < len(files),
               f"{len(files) - len(missing)} of {len(files)} sampled Stash files found in Plex;"
               f" e.g. {first.path!r} maps to {mapped!r}, which Plex does not know{hint}")


def _workers(report: _Report, data_dir: Path) -> None:
    """Finished background workers nobody reaped: Stash as PID 1 without an init (Docker)."""
    if not defunct.available():
        return
    zombies = defunct.survey(data_dir)
    if not zombies:
        report.add("workers", True, "no finished background worker was left unreaped")
        return
    report.add("workers", False, (
        f"{len(zombies)} finished background worker(s) linger as defunct processes (pids "
        f"{', '.join(map(str, zombies[:5]))}{', ...' if len(zombies) > 5 else ''}): Stash runs "
        "as PID 1 without an init, which Stash's Docker image does. Add 'init: true' to Stash's "
        "service in docker-compose.yml (or --init to docker run) and recreate the container"))


def _actor_photos(report: _Report, config: PlexSyncConfig, stash_url: str) -> None:
    """Plex fetches actor photos itself, from Stash's address as Plex reaches it."""
    if config.stash_url_for_plex:
        report.add("actor_photos", True, f"Plex gets performer photos from "
                   f"{config.stash_url_for_plex}/performer/<id>/image, without a login")
    else:
        report.add("actor_photos", False,
                   f"actor_photos is on but stash_url_for_plex is empty: Plex is given photo "
                   f"addresses on {stash_url}, which only a Plex on Stash's own machine can "
                   "reach; set stash_url_for_plex to Stash's address as Plex reaches it "
                   "(e.g. http://192.168.1.10:9999)")


def health_check(plugin_input: PluginInput) -> dict[str, Any]:
    report = _Report()
    try:
        stash = StashClient(plugin_input.connection)
    except UserError as exc:  # Stash answers, but is too old
        report.add("stash", False, str(exc))
        raise
    except Exception as exc:
        report.add("stash", False, f"cannot use Stash's API: {exc}")
        raise UserError("Health check: Stash is not reachable") from None
    report.add("stash", True, f"Stash {stash.version or '(version unknown)'} answers at "
               f"{plugin_input.connection.base_url}")
    try:
        config = load_config(stash)
    except UserError as exc:
        report.add("settings", False, str(exc))
        return {"ok": False, "checks": report.checks}
    report.add("settings", True, "settings are valid")
    if config.actor_photos:
        _actor_photos(report, config, plugin_input.connection.base_url)
    data_dir = resolve_data_dir(config.data_dir, plugin_input.connection.config_dir)
    report.add("packages", True, deps.summary(data_dir))
    _workers(report, data_dir)
    _plex_checks(report, Context(config, data_dir, stash))
    ok = all(check["ok"] for check in report.checks)
    log.info("Health check: everything is in place" if ok else
             "Health check: see the FAIL lines above")
    return {"ok": ok, "checks": report.checks}


def _plex_checks(report: _Report, ctx: Context) -> None:
    try:
        try:
            report.add("plex", True, _identity(ctx.config))
        except Exception as exc:
            report.add("plex", False, f"Plex is not reachable: {classify(exc).message}")
            return
        try:
            sections = ctx.plex.sections()
        except UserError as exc:
            report.add("libraries", False, str(exc))
            return
        except Exception as exc:
            failure = classify(exc)
            name = "token" if failure.status == 401 else "libraries"
            report.add(name, False, failure.message)
            return
        report.add("token", True, "Plex accepts the token")
        if not report.add("libraries", bool(sections),
                          ", ".join(f"{s.title} ({', '.join(s.locations)})" for s in sections)
                          or "no movie-type library found in Plex"):
            return
        _path_map(report, ctx, ctx.plex.index(force=True))
    finally:
        ctx.close()
