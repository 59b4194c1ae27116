"""Health Check: is everything PlexSync needs in place, and if not, what exactly to fix."""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import Any

from stash import log
from stash.protocol import PluginInput, UserError
from sync.matching import Lookups, name_key
from sync.paths import normalize, to_plex
from sync.state import REVIEW, SyncState
from sync_queue import packages
from sync_queue.datadir import resolve_data_dir
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker import defunct
from worker.index import Index
from worker.outage import classify
from worker.ports import PlexPort, StashPort
from worker.services import load_config, open_stores, plex_port, stash_port

SAMPLE = 25


class _Report:
    def __init__(self) -> None:
        self.checks: list[dict[str, Any]] = []

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append({"check": name, "ok": ok, "detail": detail})
        (log.info if ok else log.error)(f"[{'OK' if ok else 'FAIL'}] {name}: {detail}")
        return ok


def _path_map(report: _Report, stash: StashPort, path_map: list[tuple[str, str]],
              index: Lookups) -> None:
    """The most common misconfiguration: Stash and Plex see the files under other prefixes."""
    scenes = [Scene.from_stash(raw) for raw in islice(stash.iter_scenes(SAMPLE), SAMPLE)]
    files = [f for s in scenes for f in s.files[:1]]
    if not files:
        report.add("path_map", True, "Stash has no scene files to check yet")
        return
    missing = [f for f in files if not index.by_path(normalize(to_plex(f.path, path_map)))]
    if not missing:
        report.add("path_map", True, f"all {len(files)} sampled Stash files are known to Plex")
        return
    first = missing[0]
    mapped = to_plex(first.path, path_map)
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
        stash = stash_port(plugin_input.connection)
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
    report.add("packages", True, packages.summary(data_dir))
    _workers(report, data_dir)
    _plex_checks(report, config, data_dir, stash)
    ok = all(check["ok"] for check in report.checks)
    log.info("Health check: everything is in place" if ok else
             "Health check: see the FAIL lines above")
    return {"ok": ok, "checks": report.checks}


def _plex_checks(report: _Report, config: PlexSyncConfig, data_dir: Path,
                 stash: StashPort) -> None:
    stores = open_stores(data_dir)
    try:
        plex = plex_port(config, data_dir)
        try:
            version = plex.identify()
        except Exception as exc:
            failure = classify(exc)
            report.add("token" if failure.status == 401 else "plex", False, failure.message)
            return
        report.add("plex", True, f"Plex Media Server {version} answers at {config.plex_url}")
        if not report.add("token", *_token(plex)):
            return
        try:
            sections = plex.sections()
        except Exception as exc:
            report.add("libraries", False, classify(exc).message)
            return
        report.add("libraries", True,
                   ", ".join(f"{s.title} ({', '.join(s.locations)})" for s in sections))
        index = Index(plex, stores.index_cache).relist()
        _path_map(report, stash, config.path_map, index)
        _shared_items(report, stores.state)
    finally:
        stores.close()


def _shared_items(report: _Report, state: SyncState) -> None:
    """Plex items held back because they hold the files of several scenes (sync/stacks.py)."""
    items = {}
    for record in state.with_status(REVIEW, limit=1_000_000):
        if "shared" in record.detail:
            items[record.detail["shared"]["rating_key"]] = record.detail["shared"]
    if not items:
        report.add("shared_items", True, "no Plex item holds the files of several scenes")
        return
    examples = "; ".join(
        f"item {key} ({', '.join(stack['files'])}) for scenes "
        f"{', '.join(map(str, stack['scenes']))}" for key, stack in list(items.items())[:3])
    report.add("shared_items", False,
               f"{len(items)} Plex item(s) hold the files of several Stash scenes and are not "
               f"written: {examples}. Plex stacks files named part1, cd1... into one item: "
               "rename them so Plex keeps them apart, or merge the scenes in Stash")


def _token(plex: PlexPort) -> tuple[bool, str]:
    """Whether the token may edit: a shared or managed user's token reads but may not."""
    if plex.can_edit():
        return True, ("Plex accepts the token, and it can edit the libraries (the server "
                      "owner's token)")
    return False, ("the token can read the libraries but cannot edit them: it belongs to a "
                   "shared or managed user. Set plex_token to the server owner's token")
