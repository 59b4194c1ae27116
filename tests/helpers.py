"""Helpers the test modules share (fixtures live in conftest.py): what Plex should hold for a
scene and what it holds, plugin runs as Stash starts them (and kills them), the queue read raw,
Stash's edits, the manifest read as strictly as Stash reads it, a PlexClient on the Plex double,
and every GraphQL document PlexSync sends. No test module imports another."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import plexapi
import pytest
import yaml

from plex.client import PlexClient
from stash import queries
from sync_queue import layout
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.routes import error
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.plugin_run import ENTRY, ROOT, PluginRun, plugin_env
from validation import clean
from validation.config import PlexSyncConfig

# --- what Plex must hold for a scene, and what it holds ----------------------------------------

def expected_item(stash: StashDouble, scene_id: int) -> dict[str, Any]:
    """What every Plex item of a scene holds after a sync with the default settings."""
    scene = stash.scene(scene_id)
    store = stash.store
    studio = store.studios[scene["studio"]].name if scene["studio"] else None
    date = scene["date"]
    collections = ([studio] if studio else []) + [store.groups[g].name for g, _ in scene["groups"]]
    return {
        "title": clean.line(scene["title"]) if scene["title"] else None,
        "summary": clean.text(scene["details"]) or None if scene["details"] else None,
        "studio": studio,
        "originallyAvailableAt": date if date and len(date) == 10 else None,
        "year": int(date[:4]) if date else None,
        "genre": sorted(store.tags[t].name for t in scene["tags"]),
        "actors": sorted(store.performers[p].name for p in scene["performers"]),
        "collection": sorted(collections),
        "poster_sha1": hashlib.sha1(scene["cover"]).hexdigest() if scene["cover"] else None,
    }


def held_item(plex: PlexDouble, rating_key: str) -> dict[str, Any]:
    """The same view of what a Plex item holds now."""
    item = plex.item(rating_key)
    fields = item["fields"]
    return {
        "title": fields["title"],
        "summary": fields["summary"],
        "studio": fields["studio"],
        "originallyAvailableAt": fields["originallyAvailableAt"],
        "year": fields["year"],
        "genre": sorted(item["tags"]["genre"]),
        "actors": sorted(a["tag"] for a in item["actors"]),
        "collection": sorted(item["tags"]["collection"]),
        "poster_sha1": item["poster_sha1"],
    }


def stale_scenes(stash: StashDouble, plex: PlexDouble, sample: Sample,
                 scene_ids: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """Every Plex item that does not hold its scene's current Stash state, with both views.

    A scene without a title keeps whatever title Plex had (PlexSync never blanks it)."""
    stale = {}
    for scene_id in scene_ids if scene_ids is not None else sample.synced_ids():
        want = expected_item(stash, scene_id)
        for rating_key in sample.rating_keys[scene_id]:
            have = held_item(plex, rating_key)
            if want["title"] is None:
                have["title"] = None
            if have != want:
                diff = {k: (have[k], want[k]) for k in want if have[k] != want[k]}
                stale[f"scene {scene_id} / item {rating_key}"] = diff
    return stale


# --- plugin runs, the queue, Stash's edits -------------------------------------------------------

class Started:
    """plexsync.py started as Stash starts it, but not waited for, so it can also be killed.

    Its output goes to temporary files: a pipe nobody reads could stall it."""

    def __init__(self, harness: Harness, args: dict[str, Any]) -> None:
        # Closed in finish(): they outlive this call by design.
        self._out = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(ENTRY)], stdin=subprocess.PIPE, stdout=self._out,
            stderr=self._err, text=True, env=plugin_env(), cwd=str(ROOT.parent))
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(harness.payload(args)))
        self.proc.stdin.close()

    def kill(self) -> None:
        self.proc.kill()
        self.finish(30)

    def finish(self, timeout: float = 60) -> PluginRun:
        returncode = self.proc.wait(timeout)
        outputs = []
        for file in (self._out, self._err):
            file.seek(0)
            outputs.append(file.read())
            file.close()
        return PluginRun(returncode, *outputs)


def queue_rows(harness: Harness) -> list[tuple[int, dict[str, Any]]]:
    """(1 if taken else 0, job) of every job in queue.db, waiting or taken, read raw from the
    schedule (sync_queue/schedule.py)."""
    path = harness.data_dir / layout.QUEUE_DB
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT taken, scene_id, updated_at, intent, attempts, last_error "
                            "FROM schedule").fetchall()
    except sqlite3.OperationalError as exc:  # the first process to open it creates the tables
        if "no such table" not in str(exc):
            raise
        rows = []
    finally:
        conn.close()
    return [(int(row["taken"]), dict(row)) for row in rows]


def edit_scene(stash: StashDouble, rng: random.Random, scene_id: int, label: str) -> None:
    """A person's edit in Stash of the fields a sync writes (title, summary, tags, cast);
    a list may become empty, which only PlexSync's record of its own names can carry out."""
    tags = sorted(stash.store.tags)
    performers = sorted(stash.store.performers)
    stash.clock.advance(1)  # Stash stamps updated_at to the second: each edit is a new version
    stash.update_scene(
        scene_id, title=f"{label} title of {scene_id}", details=f"{label} summary.\n\nEdited.",
        tags=rng.sample(tags, rng.randint(0, 3)),
        performers=rng.sample(performers, rng.randint(0, 2)))


# --- Sync All's view: a scene in Plex under given settings ---------------------------------------

WRITE_KINDS = ("edit", "rate", "upload_poster", "upload_art")


def expected(stash: StashDouble, scene_id: int, *, labels: tuple[str, ...] = (),
             content_rating: str | None = None, rating: bool = False) -> dict[str, Any]:
    """The Plex view of a scene under the given settings (defaults otherwise)."""
    scene, store = stash.scene(scene_id), stash.store
    date = scene["date"]
    studio = store.studios[scene["studio"]].name if scene["studio"] else None
    groups = [store.groups[g].name for g, _ in sorted(scene["groups"], key=lambda g: g[1] or 0)]
    cover = scene["cover"]
    return {
        "title": scene["title"],
        "summary": scene["details"],
        "studio": studio,
        "originallyAvailableAt": date if date and len(date) == 10 else None,
        "year": date[:4] if date else None,
        "contentRating": content_rating,
        "userRating": scene["rating100"] / 10 if rating and scene["rating100"] else None,
        "genre": sorted(store.tags[t].name for t in scene["tags"]),
        "actors": [store.performers[p].name for p in scene["performers"]],
        "collection": sorted(n for n in (studio, *groups) if n),
        "label": sorted(labels),
        "poster_sha1": hashlib.sha1(cover).hexdigest() if cover else None,
    }


def observed(plex: PlexDouble, rating_key: str) -> dict[str, Any]:
    """The same shape read from the Plex double."""
    item = plex.item(rating_key)
    fields = item["fields"]

    def text(name: str) -> str | None:
        value = fields[name]
        return None if value in (None, "") else str(value)

    return {
        "title": text("title"), "summary": text("summary"), "studio": text("studio"),
        "originallyAvailableAt": text("originallyAvailableAt"), "year": text("year"),
        "contentRating": text("contentRating"), "userRating": fields["userRating"],
        "genre": sorted(item["tags"]["genre"]),
        "actors": [a["tag"] for a in item["actors"]],
        "collection": sorted(item["tags"]["collection"]),
        "label": sorted(item["tags"]["label"]),
        "poster_sha1": item["poster_sha1"],
    }


def expected_locks(want: dict[str, Any]) -> set[str]:
    """Every field PlexSync wrote into a bare item; a user rating has no lock."""
    names = {"title", "summary", "studio", "originallyAvailableAt", "year", "contentRating",
             "genre", "collection", "label"}
    locks = {name for name in names if want[name]}
    locks |= {"actor"} if want["actors"] else set()
    return locks | ({"thumb"} if want["poster_sha1"] else set())


def assert_synced(stash: StashDouble, plex: PlexDouble, scene_id: int, rating_keys: list[str],
                  **settings: Any) -> None:
    want = expected(stash, scene_id, **settings)
    for rk in rating_keys:
        assert observed(plex, rk) == want, f"scene {scene_id} -> Plex item {rk}"


def ok(run: PluginRun) -> str:
    assert run.returncode == 0, run.stderr
    assert "error" not in run.result, run.result
    return str(run.result["output"])


def write_counts(plex: PlexDouble) -> dict[str, int]:
    return {kind: plex.counts[kind] for kind in WRITE_KINDS}


# --- tasks as Stash starts them ------------------------------------------------------------------

WRITES = ("edit", "rate", "upload_poster", "upload_art", "refresh")


def run_task(h: Harness, name: str, **args: str) -> PluginRun:
    """Start a task by its name in the manifest, with its defaultArgs as Stash sends them."""
    task = next(t for t in manifest()["tasks"] if t["name"] == name)
    return h.run({**task["defaultArgs"], **args})


def assert_replied(h: Harness, run: PluginRun) -> Any:
    """Stash's protocol: exactly one JSON object on stdout and no error, only log lines on
    stderr, no secret anywhere, and the log ends with a one-line summary (the reply itself when
    the reply is text). Returns the output."""
    assert run.returncode == 0, run.stderr
    reply, end = json.JSONDecoder().raw_decode(run.stdout)
    assert run.stdout[end:].strip() == "", run.stdout
    assert isinstance(reply, dict) and set(reply) == {"output"}, reply
    assert [line for level, line in run.logs if level == "raw"] == []
    for secret in (h.plex.token, "sess-secret"):
        assert secret not in run.stdout + run.stderr
    level, last = [entry for entry in run.logs if entry[0] != "progress"][-1]
    assert level == "info", run.stderr
    if isinstance(reply["output"], str):
        assert last == reply["output"]
    return reply["output"]


def last_line(run: PluginRun) -> str:
    return [text for level, text in run.logs if level != "progress"][-1]


def writes(plex: PlexDouble) -> dict[str, int]:
    """The Plex requests that change something, by kind (empty: Plex was only read)."""
    return {kind: plex.counts[kind] for kind in WRITES if plex.counts.get(kind)}


def queue_scenes(h: Harness, scene_ids: list[int]) -> None:
    """Queue scene versions as a hook does, but with no drainer (it would drain them itself)."""
    h.data_dir.mkdir(exist_ok=True)
    queue = JobQueue(h.data_dir)
    try:
        queue.enqueue_many([(sid, h.stash.scene(sid)["updated_at"]) for sid in scene_ids])
    finally:
        queue.close()


def titles(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {plex.item(rk)["fields"]["title"] for rk in sample.rating_keys[sid]}
            for sid in scene_ids}


def stash_titles(stash: StashDouble, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {stash.scene(sid)["title"]} for sid in scene_ids}


def snapshots(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[str, dict]:
    return {rk: plex.item(rk) for sid in scene_ids for rk in sample.rating_keys[sid]}


def hold_drainer_lock(harness: Harness) -> FileLock:
    """As if a drainer were running: hooks then only queue, and start nothing."""
    harness.data_dir.mkdir(exist_ok=True)
    lock = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert lock.acquire(0)
    return lock


def queue_every_scene(harness: Harness, stash: StashDouble, scene_ids: list[int]) -> None:
    """What a Sync All queues, without starting a drainer."""
    lock = hold_drainer_lock(harness)
    queue = JobQueue(harness.data_dir)
    queue.enqueue_many([(sid, stash.scene(sid)["updated_at"]) for sid in scene_ids])
    queue.close()
    lock.release()


def breaker_state(harness: Harness) -> str:
    """The circuit breaker as the draining process last saved it."""
    path = harness.data_dir / layout.STATE_DB
    if not path.exists():
        return "closed"
    conn = sqlite3.connect(path, timeout=10)
    try:
        row = conn.execute("SELECT value FROM health WHERE key = 'breaker'").fetchone()
    except sqlite3.OperationalError:  # not created yet
        row = None
    finally:
        conn.close()
    return json.loads(row[0])["state"] if row else "closed"


# --- the wall clock as a guard only --------------------------------------------------------------
# A test proves "fast" by construction: the Plex requests a run made (one look at Plex, no retry,
# no request but those a plex_timeout allows). The wall clock is left as a guard against what
# counts cannot show: waiting out a retry schedule (six attempts take over half a minute,
# sync/failure.py) or the default plex_timeout where a shorter one was set (30 s a request). A
# run that waits for neither takes about a second; GUARD leaves far more for a loaded machine.

DEFAULT_PLEX_TIMEOUT = PlexSyncConfig.model_fields["plex_timeout"].default
GUARD = 20.0


def assert_waited_for_nothing(took: float, hung: int = 0, plex_timeout: float = 0.0) -> None:
    """`took` seconds cannot include a retry schedule, nor the default plex_timeout for any of
    the `hung` requests Plex never answered (each may take plex_timeout)."""
    guard = GUARD + hung * plex_timeout
    assert guard < DEFAULT_PLEX_TIMEOUT * max(hung, 1), "the guard no longer tells them apart"
    assert took < guard, f"took {took:.1f}s: it waited out a schedule or a default timeout"


# --- Plex refusing posters ------------------------------------------------------------------------

def refuse_posters(plex: PlexDouble, rating_keys: list[str]) -> None:
    """From now on Plex answers 400 to poster uploads for these items, as for an image it cannot
    read: a failure that is neither an outage nor cured by retrying. accept_posters undoes it."""
    targets = {f"/library/metadata/{rk}/posters" for rk in rating_keys}
    answer = type(plex)._answer.__get__(plex)

    def refusing(method: str, target: str, headers: Any, body: bytes) -> Any:
        if method == "POST" and urlsplit(target).path in targets:
            return error(400)
        return answer(method, target, headers, body)

    plex._answer = refusing  # type: ignore[method-assign]


def accept_posters(plex: PlexDouble) -> None:
    vars(plex).pop("_answer", None)


# --- plexsync.yml, read as strictly as Stash reads it -------------------------------------------

class _StrictLoader(yaml.SafeLoader):
    """yaml.v2 strict mode also refuses a key given twice."""


def _no_duplicates(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(k) for k, _ in node.value]
    assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def manifest() -> dict[str, Any]:
    return yaml.load((ROOT / "plexsync.yml").read_text(), Loader=_StrictLoader)


# --- a PlexClient on the Plex double (conftest's `plex` takes this token) ------------------------

TOKEN = "s3cret-plex-token-abc"


PLEXAPI_ENV = (
    "PLEXAPI_CONFIG_PATH", "PLEXAPI_HEADER_IDENTIFIER", "PLEXAPI_HEADER_PRODUCT",
    "PLEXAPI_HEADER_DEVICE_NAME", "PLEXAPI_PLEXAPI_AUTORELOAD", "PLEXAPI_PLEXAPI_TIMEOUT",
)


CLIENT_HEADERS = ("X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Device-Name")


def restore_plexapi_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PLEXAPI_ENV:
        # setenv first records the original value (or its absence) for undo at teardown.
        monkeypatch.setenv(name, os.environ.get(name, ""))
        if name == "PLEXAPI_CONFIG_PATH":
            monkeypatch.setenv(name, os.devnull)  # a developer's own config.ini stays out
        else:
            monkeypatch.delenv(name)
    for header in CLIENT_HEADERS:
        monkeypatch.setitem(plexapi.BASE_HEADERS, header, plexapi.BASE_HEADERS[header])


def make_config(url: str, **settings: Any) -> PlexSyncConfig:
    return PlexSyncConfig.from_settings({"plex_url": url, "plex_token": TOKEN, **settings})


def make_client(plex: PlexDouble, data_dir: Path, **settings: Any) -> PlexClient:
    return PlexClient(make_config(plex.url, **settings), data_dir)


# --- every GraphQL document PlexSync sends ------------------------------------------------------

DOCUMENTS = {name: value for name, value in vars(queries).items()
             if name.isupper() and name != "SCENE_FIELDS" and isinstance(value, str)}
