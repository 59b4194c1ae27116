"""Stash's job manager (stashapp/stash pkg/job/manager.go), small.

- Jobs run one at a time, in the order added: a job waits READY while another is RUNNING
  (or STOPPING). Jobs a test puts in by hand (`add_job("Scanning...")`) take part: a RUNNING
  one holds every plugin task READY until the test removes it, as a real scan would.
- Subscribers get ADD when a job is queued, UPDATE when it starts and on progress, and REMOVE
  (with its final status) once it ended and left the queue; Stash sends no UPDATE for FINISHED
  or CANCELLED. Stash throttles updates to one per 100 ms; the double sends each.
- A finished job leaves jobQueue at once and stays findable (the last 10) through findJob.
- A job's function failing makes it FAILED with the error; stopping a RUNNING job makes it
  STOPPING, then CANCELLED when its function returns; a READY one is CANCELLED and removed.
"""

from __future__ import annotations

import copy
import itertools
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .clock import StashClock
from .subscribers import Subscribers

GRAVEYARD = 10


@dataclass
class Job:
    id: int
    status: str
    description: str
    add_time: str
    progress: float | None = 0.0
    start_time: str | None = None
    end_time: str | None = None
    error: str | None = None
    sub_tasks: list[str] | None = None
    manual: bool = False  # put in by a test; never dispatched
    logs: list[tuple[str, str]] = field(default_factory=list)
    output: Any = None

    def graphql(self) -> dict[str, Any]:
        return {"id": str(self.id), "status": self.status, "description": self.description,
                "progress": self.progress, "subTasks": self.sub_tasks,
                "addTime": self.add_time, "startTime": self.start_time,
                "endTime": self.end_time, "error": self.error}


class JobControl:
    """What a running job's function gets: progress reporting and the stop request."""

    def __init__(self, manager: JobManager, job: Job) -> None:
        self._manager = manager
        self.job = job
        self.stopping = threading.Event()
        self.on_stop: Callable[[], None] = lambda: None

    def progress(self, value: float) -> None:
        self._manager.set_progress(self.job.id, min(max(value, 0.0), 1.0))

    def log(self, level: str, text: str) -> None:
        with self._manager.lock:
            self.job.logs.append((level, text))


JobFunction = Callable[[JobControl], Any]


class JobManager:
    def __init__(self, clock: StashClock) -> None:
        self.lock = threading.RLock()
        self._clock = clock
        self._ids = itertools.count(1)
        self._queue: list[Job] = []
        self._graveyard: list[Job] = []
        self._functions: dict[int, JobFunction] = {}
        self._controls: dict[int, JobControl] = {}
        self._subscribers = Subscribers()
        self._wake = threading.Condition(self.lock)
        self._stopped = False
        self._thread = threading.Thread(target=self._dispatch, name="stash-double-jobs",
                                         daemon=True)
        self._thread.start()

    # --- adding and removing -----------------------------------------------------------

    def add(self, description: str, function: JobFunction) -> int:
        with self.lock:
            job = Job(next(self._ids), "READY", description, self._clock.now_text())
            self._queue.append(job)
            self._functions[job.id] = function
            self._notify("ADD", job)
            self._wake.notify_all()
            return job.id

    def add_manual(self, description: str, status: str, progress: float | None) -> int:
        with self.lock:
            now = self._clock.now_text()
            job = Job(next(self._ids), status, description, now, progress,
                      start_time=now if status == "RUNNING" else None, manual=True)
            self._queue.append(job)
            self._notify("ADD", job)
            return job.id

    def remove_manual(self, job_id: int) -> None:
        with self.lock:
            job = self._find(self._queue, job_id)
            if job is None:
                raise KeyError(f"no job with id {job_id}")
            if job.status == "RUNNING":
                job.status, job.end_time = "FINISHED", self._clock.now_text()
            self._retire(job)

    def cancel(self, job_id: int) -> None:
        with self.lock:
            job = self._find(self._queue, job_id)
            if job is None:
                return
            if job.status == "READY":
                job.status = "CANCELLED"
                self._retire(job)
            elif job.status == "RUNNING" and not job.manual:
                job.status = "STOPPING"
                self._notify("UPDATE", job)
                control = self._controls[job.id]
                control.stopping.set()
                control.on_stop()

    def set_progress(self, job_id: int, value: float) -> None:
        with self.lock:
            job = self._find(self._queue, job_id)
            if job is not None:
                job.progress = value
                self._notify("UPDATE", job)

    # --- reading -----------------------------------------------------------------------

    def queue(self) -> list[Job]:
        with self.lock:
            return [copy.deepcopy(j) for j in self._queue]

    def get(self, job_id: int) -> Job | None:
        with self.lock:
            job = self._find(self._queue + self._graveyard, job_id)
            return copy.deepcopy(job) if job else None

    def subscribe(self) -> queue.Queue:
        """A queue receiving a JobStatusUpdate {type, job} for every change from now on."""
        return self._subscribers.subscribe()

    def unsubscribe(self, inbox: queue.Queue) -> None:
        self._subscribers.unsubscribe(inbox)

    def stop(self) -> None:
        with self.lock:
            self._stopped = True
            for job in list(self._queue):
                self.cancel(job.id)
            self._wake.notify_all()
        self._thread.join(timeout=10)

    # --- dispatching -------------------------------------------------------------------

    def _dispatch(self) -> None:
        while True:
            with self.lock:
                job = self._next_ready()
                while job is None and not self._stopped:
                    self._wake.wait()
                    job = self._next_ready()
                if self._stopped:
                    return
                job.status, job.start_time = "RUNNING", self._clock.now_text()
                control = self._controls[job.id] = JobControl(self, job)
                function = self._functions.pop(job.id)
                self._notify("UPDATE", job)
            self._execute(job, control, function)

    def _next_ready(self) -> Job | None:
        if any(j.status in ("RUNNING", "STOPPING") for j in self._queue):
            return None
        return next((j for j in self._queue if j.status == "READY" and not j.manual), None)

    def _execute(self, job: Job, control: JobControl, function: JobFunction) -> None:
        error = None
        try:
            output = function(control)
        except Exception as exc:  # a job's failure is its status, as in Stash
            error, output = str(exc), None
        with self.lock:
            job.output = output
            if job.status == "STOPPING":
                job.status = "CANCELLED"
            elif error is not None:
                job.status, job.error = "FAILED", error
            else:
                job.status = "FINISHED"
            job.end_time = self._clock.now_text()
            self._controls.pop(job.id, None)
            self._retire(job)
            self._wake.notify_all()

    def _retire(self, job: Job) -> None:
        self._queue.remove(job)
        job.sub_tasks = None
        self._graveyard = (self._graveyard + [job])[-GRAVEYARD:]
        self._notify("REMOVE", job)
        self._wake.notify_all()

    def _notify(self, kind: str, job: Job) -> None:
        if kind == "UPDATE" and job.status in ("FINISHED", "CANCELLED"):
            return
        self._subscribers.publish({"type": kind, "job": job.graphql()})

    @staticmethod
    def _find(jobs: list[Job], job_id: int) -> Job | None:
        return next((j for j in jobs if j.id == job_id), None)
