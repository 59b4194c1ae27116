"""JobQueue across real processes: SIGKILLed drainers, concurrent hooks, hook start-up cost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sync_queue.jobs import JobQueue

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name == "nt", reason="uses SIGKILL")


def spawn(script: str) -> subprocess.Popen[str]:
    """A fresh interpreter running ``script`` with the project importable."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream:
            stream.close()


TAKE_AND_HANG = """
import sys
from sync_queue.jobs import JobQueue
q = JobQueue({data_dir!r})
print(",".join(str(job.id) for job in q.take({limit})), flush=True)
sys.stdin.read()
"""


def take_in_child(data_dir: Path, limit: int) -> tuple[subprocess.Popen[str], list[int]]:
    """A child that takes jobs and then holds them, unacknowledged, until it is killed."""
    proc = spawn(TAKE_AND_HANG.format(data_dir=str(data_dir), limit=limit))
    line = proc.stdout.readline() if proc.stdout else ""
    assert line, proc.stderr.read() if proc.stderr else "child died"
    return proc, [int(part) for part in line.strip().split(",") if part]


def test_taken_job_of_a_killed_process_comes_back_exactly_once(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    queue.enqueue(1, "a")
    child, [taken_id] = take_in_child(tmp_path, limit=1)
    kill(child)

    assert queue.take(10) == []  # still taken: nobody but the drainer may resume it
    assert queue.counts()["taken"] == 1
    assert queue.resume_abandoned() == 1
    [back] = queue.take(10)
    assert (back.id, back.scene_id, back.attempts) == (taken_id, 1, 0)
    queue.ack(back)
    assert queue.resume_abandoned() == 0
    assert queue.take(10) == []
    queue.close()
    reopened = JobQueue(tmp_path)
    assert reopened.resume_abandoned() == 0 and reopened.take(10) == []
    reopened.close()


def test_resume_brings_back_a_killed_drainers_jobs_once(tmp_path: Path) -> None:
    queue = JobQueue(tmp_path)
    queue.enqueue_many([(1, "a"), (2, "a"), (3, "a")])
    child, taken_ids = take_in_child(tmp_path, limit=2)
    kill(child)
    assert queue.counts()["taken"] == 2
    assert queue.resume_abandoned() == 2
    assert queue.resume_abandoned() == 0
    assert [job.id for job in queue.take(10)] == [*taken_ids, taken_ids[-1] + 1]
    queue.close()


def test_opening_the_queue_elsewhere_never_steals_a_running_drainers_jobs(tmp_path: Path) -> None:
    setup = JobQueue(tmp_path)
    setup.enqueue(1, "a")
    setup.close()
    drainer, [taken_id] = take_in_child(tmp_path, limit=1)
    try:
        hook = JobQueue(tmp_path)  # what every hook process does
        assert hook.enqueue(1, "a") is True  # the edit may postdate what the drainer read
        assert hook.counts() == {"waiting": 1, "due": 1, "retrying": 0, "taken": 1}
        assert [job.id for job in hook.waiting()] != [taken_id]
        hook.close()
    finally:
        kill(drainer)


ENQUEUE_AFTER_GO = """
import sys
from sync_queue.jobs import JobQueue
print("ready", flush=True)
sys.stdin.readline()
q = JobQueue({data_dir!r})
for scene in {scenes!r}:
    q.enqueue(scene, "v" + str(scene % 3))
q.close()
print("done", flush=True)
"""


def test_many_processes_enqueueing_at_once_yield_exactly_the_expected_jobs(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"  # nobody has created the database yet: that races too
    data_dir.mkdir()
    plans = [[(p * 7 + k) % 60 for k in range(20)] for p in range(20)]
    script = ENQUEUE_AFTER_GO.format
    children = [spawn(script(data_dir=str(data_dir), scenes=plan)) for plan in plans]
    for child in children:
        assert child.stdout and child.stdout.readline().strip() == "ready"
    for child in children:  # release them together
        assert child.stdin
        child.stdin.write("go\n")
        child.stdin.flush()
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert out.strip() == "done"

    queue = JobQueue(data_dir)
    got = [(job.scene_id, job.updated_at) for job in queue.waiting()]
    expected = {(scene, f"v{scene % 3}") for plan in plans for scene in plan}
    assert len(got) == len(set(got))
    assert set(got) == expected
    queue.close()


HOOK = """
import sys, time
start = time.process_time()
from sync_queue.jobs import JobQueue
JobQueue(sys.argv[1]).enqueue(42, "2024-05-06T07:08:09Z")
elapsed = time.process_time() - start
heavy = [m for m in ("persistqueue", "pydantic", "requests", "plexapi", "stashapi")
         if m in sys.modules]
print(json.dumps({"elapsed": elapsed, "heavy": heavy}))
"""


def test_the_hook_enqueue_path_imports_little_and_is_quick(tmp_path: Path) -> None:
    JobQueue(tmp_path).close()  # an existing queue, as for every hook but the first
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "import json\n" + HOOK, str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    whole_process = time.perf_counter() - started
    result = json.loads(done.stdout)
    print(f"import+enqueue {result['elapsed'] * 1000:.1f} ms of CPU, "
          f"whole process {whole_process * 1000:.1f} ms")
    assert result["heavy"] == []
    # CPU time, which a loaded machine barely changes (wall time there can be 40 times as
    # much); typically about 15 ms.
    assert result["elapsed"] < 0.5
    queue = JobQueue(tmp_path)
    assert [(j.scene_id, j.updated_at) for j in queue.waiting()] == [(42, "2024-05-06T07:08:09Z")]
    queue.close()
