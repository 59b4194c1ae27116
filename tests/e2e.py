"""End-to-end runs as Stash starts them, and what each must answer: a run that can be killed
(Started), a task by its name in the manifest, Stash's protocol checked on a reply, the wall
clock as a guard only; and the world changing around the runs: a person's edit in Stash, Plex
refusing posters."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
from typing import Any
from urllib.parse import urlsplit

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.routes import error
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.manifest import manifest
from tests.plugin_run import ENTRY, ROOT, PluginRun, plugin_env
from tests.polling import DEADLINE
from validation.config import PlexSyncConfig


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
        self.finish()

    def finish(self, timeout: float = DEADLINE) -> PluginRun:
        returncode = self.proc.wait(timeout)
        outputs = []
        for file in (self._out, self._err):
            file.seek(0)
            outputs.append(file.read())
            file.close()
        return PluginRun(returncode, *outputs)


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


def ok(run: PluginRun) -> str:
    assert run.returncode == 0, run.stderr
    assert "error" not in run.result, run.result
    return str(run.result["output"])


def last_line(run: PluginRun) -> str:
    return [text for level, text in run.logs if level != "progress"][-1]


# --- the wall clock as a guard only ---------------------------------------------------------------
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


# --- what a person does in Stash, and Plex refusing posters ------------------------------------

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
