"""What each step of a changed scene costs the plugin, in CPU microseconds (bench only).

    python -m bench.costs [--n 1000] [--reps 300] [--only PART ...] [--json PATH]
    python -m bench.costs --only drain [--concurrency K] [--profile F.pstats]

Runs PlexSync's own objects IN THIS PROCESS against the two doubles (which answer from their
own threads), and times each step by the CPU clock of the thread that runs it
(time.thread_time): neither the doubles' work nor waiting for them nor other processes on a
busy machine count, so the numbers hold still where wall time does not. The parts:

  steps    each step of the write path on its own (Stash fetch and validation, matching, Plex
           item fetch, plan, image download, upload, edit PUT, the SQLite bookkeeping), per
           scene, with the same request sent through lighter HTTP stacks beside it (plain
           requests, urllib3, http.client) to show what each layer adds;
  drain    a whole first sync drained in this process (a fresh library), split by thread: the
           drain's own thread and the write pool; optionally cProfiled (both threads, CPU
           clock);
  startup  the child process's start-up (imports), measured in a fresh interpreter;
  noop     (only when asked) a no-op Sync All at --n without the first sync before it: every
           record primed as current, then the real child runs it, and its steps run here;
  memory   (only when asked) what the structures that grow with N hold (synthetic data).

It imports PlexSync's modules by their paths in issue 13's layout (worker/services.py,
worker/write.py, worker/index.py, tasks/sync.py): follow them when they move.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.library import Library, library

Row = dict[str, Any]


def cpu_us(fn: Callable[[], Any], count: int = 1, rounds: int = 3) -> float:
    """CPU microseconds of this thread per unit of work (fn does `count` units), best round."""
    best = float("inf")
    for _ in range(rounds):
        start = time.thread_time()
        fn()
        best = min(best, time.thread_time() - start)
    return best * 1e6 / max(count, 1)


def each(items: list[Any], fn: Callable[[Any], Any]) -> Callable[[], None]:
    return lambda: [fn(item) for item in items]  # type: ignore[func-returns-value]


@contextmanager
def quiet_log() -> Iterator[None]:
    """PlexSync's log lines (stash/log.py writes them to stderr) into /dev/null: written, as
    in a run, but not shown."""
    saved = sys.stderr
    with open(os.devnull, "w") as sink:
        sys.stderr = sink
        try:
            yield
        finally:
            sys.stderr = saved


def _connection(lib: Library) -> Any:
    from stash.protocol import parse_input

    os.environ["PLEXAPI_CONFIG_PATH"] = str(lib.plexapi_config)
    return parse_input(json.dumps(lib.harness.payload({"mode": "sync_all"}))).connection


# -- steps ---------------------------------------------------------------------------------


def steps(n: int, reps: int) -> list[Row]:
    from stash.client import VERSIONS_PAGE
    from sync.matching import Recommendation, match
    from sync.ownership import Owned
    from sync_queue.job import CHANGED
    from sync_queue.jobs import JobQueue
    from validation.scene import Scene
    from worker.index import Index
    from worker.services import open_services
    from worker.write import plan_items

    rows: list[Row] = []

    def row(name: str, us: float, per: str = "scene", note: str = "") -> None:
        rows.append({"step": name, "us": round(us, 1), "per": per, "note": note})

    with library(n, covers=True, latency=0.0) as lib, quiet_log():
        ctx = open_services(_connection(lib))
        state = ctx.stores.state
        ids = list(lib.sample.scene_ids)
        versions = [version for page in ctx.stash.scene_versions() for version in page]
        row("Stash: scene_versions (Sync All's list)",
            cpu_us(lambda: list(ctx.stash.scene_versions()), len(ids)),
            note=f"pages of {VERSIONS_PAGE:,}")
        fetched: dict[int, dict] = {}
        row("Stash: scenes_by_id (1,000 per request, JSON decoded)",
            cpu_us(lambda: fetched.update(ctx.stash.scenes_by_id(ids).found), len(ids)))
        raw = [fetched[i] for i in ids]
        scenes = [Scene.from_stash(d) for d in raw]
        row("pydantic: Scene.from_stash", cpu_us(each(raw, Scene.from_stash), len(raw)))
        row("Scene.content_hash (model_dump + json + sha256)",
            cpu_us(each(scenes, Scene.content_hash), len(scenes)))
        fingerprint = ctx.config.plan_fingerprint
        row("config.plan_fingerprint (once per batch)", cpu_us(fingerprint), per="batch")

        queue = JobQueue(ctx.data_dir)
        queue.enqueue_many(versions, CHANGED)
        row("queue: enqueue_many (Sync All)", cpu_us(
            lambda: queue.enqueue_many(versions, CHANGED), len(versions), 1),
            note="second call: every version already waiting")
        jobs: list[Any] = []
        row("queue: take (the schedule's claim, one commit per batch)",
            cpu_us(lambda: jobs.extend(queue.take(len(ids))), len(ids), 1), per="job")
        row("queue: ack (a job that never waited: one DELETE, one commit)",
            cpu_us(each(jobs, queue.ack), len(jobs), 1), per="job")
        row("state: get_many", cpu_us(lambda: state.get_many(ids), len(ids)))

        paths = Index(ctx.plex, ctx.stores.index_cache)
        index = paths.relist()
        items_listed = len(index)
        row("Plex: index full listing (2,000 per page, into SQLite)",
            cpu_us(paths.relist, items_listed, 1), per="item")
        row("Plex: index kept in SQLite (a new process looks at the sections)",
            cpu_us(lambda: Index(ctx.plex, ctx.stores.index_cache).current(), items_listed, 1),
            per="item")
        path_map = ctx.config.path_map
        matches = [match(s.files, path_map, index) for s in scenes]
        row("match (path index lookup)",
            cpu_us(each(scenes, lambda s: match(s.files, path_map, index)), len(scenes)))
        keys = sorted({e.rating_key for m in matches for e in m.items})
        items: dict[str, Any] = {}
        row("Plex: fetch_items (200 per request, XML parsed)",
            cpu_us(lambda: items.update(ctx.plex.fetch_items(keys)), len(keys), 1), per="item")

        work = [(s, [items[e.rating_key] for e in m.items]) for s, m in zip(scenes, matches,
                                                                          strict=True)
                if m.recommendation is Recommendation.HIGH]
        planned = [(s, plan_items(s, targets, {}, ctx.config)) for s, targets in work]
        row("plan_items (the field plan)",
            cpu_us(each(work, lambda w: plan_items(w[0], w[1], {}, ctx.config)), len(work)))
        claims = {s.id: {t.rating_key: Owned().claimed(e.written) for t, e in edits}
                  for s, edits in planned}
        row("claimed (what PlexSync may own)", cpu_us(lambda: [
            Owned().claimed(e.written) for _, edits in planned for _, e in edits], len(planned)))
        row("state: claim_many (SELECT + upsert per scene, one commit)",
            cpu_us(lambda: state.claim_many(claims), len(claims), 1))

        rows += _write_steps(ctx, lib, planned, reps)
        ctx.close()
    return rows


def _write_steps(ctx: Any, lib: Library, planned: list, reps: int) -> list[Row]:
    from plex.chunks import chunks, target

    rows: list[Row] = []

    def row(name: str, us: float, per: str = "call", note: str = "") -> None:
        rows.append({"step": name, "us": round(us, 1), "per": per, "note": note})

    sample = planned[:reps]
    edits = [e for _, pairs in sample for _, e in pairs]
    urls = [e.images[0].url for e in edits if e.images]
    row("edit.written.copy() (write_items)",
        cpu_us(each(edits, lambda e: e.written.copy()), len(edits)))
    row("json.dumps(written) (update_success)",
        cpu_us(each(edits, lambda e: json.dumps({e.rating_key: e.written.to_json()})),
               len(edits)))
    row("chunks(edit) (builds the URL once to measure it)",
        cpu_us(each(edits, chunks), len(edits)))
    row("target(edit) (the edit's URL, built again for the PUT)",
        cpu_us(each(edits, target), len(edits)))
    avg_len = statistics.mean(len(target(e)) for e in edits)

    data: dict[str, bytes | None] = {}
    row("Stash: image download (StashClient.image)",
        cpu_us(each(urls, lambda u: data.__setitem__(u, ctx.stash.image(u))), len(urls), 2))
    row("  same download: requests Session.get (as before issue 15)",
        cpu_us(each(urls, lambda u: ctx.stash._http.get(u, allow_redirects=False).content),
               len(urls), 2))
    blobs = [b for b in data.values() if b]
    row("sha1 of the cover", cpu_us(each(blobs, lambda b: hashlib.sha1(b).hexdigest()),
                                    len(blobs)), note=f"{statistics.mean(map(len, blobs)):.0f} B")
    plex = ctx.plex
    row("Plex: upload poster (PlexClient.upload)",
        cpu_us(each(list(zip(edits, blobs, strict=False)),
                    lambda eb: plex.upload(eb[0].rating_key, "poster", eb[1])), len(blobs), 2))
    row("Plex: edit PUT (PlexClient.edit, chunks included)",
        cpu_us(each(edits, plex.edit), len(edits), 2), note=f"URL {avg_len:.0f} chars")
    row("  same PUT: PlexClient._put(target) (no chunks)",
        cpu_us(each(edits, lambda e: plex._put(target(e))), len(edits), 2))
    row("  same PUT: plexapi PlexServer.query + requests (as before issue 15)",
        cpu_us(each(edits, lambda e: plex._server.query(target(e), method=plex._http.put)),
               len(edits), 2))

    server = plex._server
    session = plex._http
    headers = server._headers()
    base = server._baseurl
    targets = [target(e) for e in edits]
    row("  same PUT: requests Session.put, URL and headers prebuilt",
        cpu_us(each(targets, lambda t: session.put(base + t, headers=headers,
                                                   timeout=30).content), len(targets), 2))
    prepared = [session.prepare_request(__import__("requests").Request(
        "PUT", base + t, headers=headers)) for t in targets]
    adapter = session.get_adapter(base)
    row("  same PUT: requests adapter.send of a prepared request (no Session.request)",
        cpu_us(each(prepared, lambda p: adapter.send(p, timeout=30).content), len(prepared), 2))
    row("  same PUT: urllib3 pool.urlopen",
        cpu_us(_urllib3_put(base, targets, headers), len(targets), 2))
    row("  same PUT: http.client, one kept-alive connection",
        cpu_us(_http_client_put(base, targets, headers), len(targets), 2))
    from urllib3.util.url import _encode_target, parse_url
    row("  urllib3 parse_url of the PUT's URL (requests' prepare_url)",
        cpu_us(each(targets, lambda t: parse_url(base + t)), len(targets)))
    row("  urllib3 _encode_target of the PUT's target (urlopen)",
        cpu_us(each(targets, _encode_target), len(targets)))
    pool = session.get_adapter(base).poolmanager.connection_from_url(base)
    pairs = list(zip(edits, blobs, strict=False))
    row("  same upload: urllib3 pool of requests' own adapter, headers prebuilt",
        cpu_us(each(pairs, lambda eb: pool.urlopen(
            "POST", f"/library/metadata/{eb[0].rating_key}/posters", body=eb[1],
            headers=headers, retries=False)), len(pairs), 2))
    stash = ctx.stash._http
    stash_base = ctx.stash._base_url
    stash_pool = stash.get_adapter(stash_base).poolmanager.connection_from_url(stash_base)
    stash_headers = dict(stash.headers)
    cookie = "; ".join(f"{c.name}={c.value}" for c in stash.cookies)
    if cookie:
        stash_headers["Cookie"] = cookie
    paths = [urlsplit(u).path + "?" + urlsplit(u).query for u in urls]
    row("  same download: urllib3 pool of the Stash session, headers prebuilt",
        cpu_us(each(paths, lambda p: stash_pool.urlopen(
            "GET", p, headers=stash_headers, retries=False).data), len(paths), 2))
    row("  plexapi PlexServer._headers() (per query)",
        cpu_us(each(edits, lambda _e: server._headers()), len(edits)))
    row("  ElementTree.fromstring of an empty answer (plexapi parseXMLString)",
        cpu_us(each(edits, lambda _e: __import__("plexapi").utils.parseXMLString("")),
               len(edits)))

    state = ctx.stores.state
    scenes = [s for s, _ in sample]
    written = {s.id: {t.rating_key: e.written for t, e in pairs} for s, pairs in sample}
    row("state: update_success (upsert + json + shown.replace, one commit)",
        cpu_us(each(scenes, lambda s: state.update_success(
            s.id, "1", stash_updated_at=s.updated_at, scene_hash="x", written=written[s.id],
            refs=s.refs)), len(scenes), 1), per="scene")
    row("dead.discard (a DELETE, autocommit)",
        cpu_us(each(scenes, lambda s: ctx.stores.dead.discard(s.id)), len(scenes), 1),
        per="scene")
    from stash import log
    row("log.info of one progress line (to a file)",
        cpu_us(each(scenes, lambda s: log.info(f"progress: {s.id}")), len(scenes)),
        per="line")
    return rows


def _urllib3_put(base: str, targets: list[str], headers: dict[str, str]) -> Callable[[], None]:
    import urllib3

    parts = urlsplit(base)
    pool = urllib3.HTTPConnectionPool(parts.hostname, parts.port, maxsize=1)

    def run() -> None:
        for t in targets:
            pool.urlopen("PUT", t, headers=headers, retries=False, preload_content=True)
    return run


def _http_client_put(base: str, targets: list[str],
                     headers: dict[str, str]) -> Callable[[], None]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def run() -> None:
        for t in targets:
            conn.request("PUT", t, headers=headers)
            conn.getresponse().read()
    return run


# -- the whole drain -----------------------------------------------------------------------


def drain(n: int, concurrency: int | None = None, profile: Path | None = None) -> list[Row]:
    """A first sync drained here; profile: also cProfile (CPU clock) both threads' work into
    that .pstats file (the numbers then include cProfile's overhead)."""
    import cProfile
    import pstats
    import threading

    from sync_queue.job import CHANGED
    from tasks.sync import _queue_versions, drain_now
    from worker import batch as batch_module
    from worker.services import open_services

    pool_cpu: list[float] = []
    profiles: list[cProfile.Profile] = []
    local = threading.local()
    write_one = batch_module.Batch._write_one

    def timed(self: Any, work: Any, edits: list) -> Any:
        prof = getattr(local, "profile", None)
        if profile is not None and prof is None:
            prof = local.profile = cProfile.Profile(time.thread_time)
            profiles.append(prof)
        start = time.thread_time()
        if prof is not None:
            prof.enable()
        try:
            return write_one(self, work, edits)
        finally:
            if prof is not None:
                prof.disable()
            pool_cpu.append(time.thread_time() - start)

    batch_module.Batch._write_one = timed  # type: ignore[method-assign]
    main_profile = cProfile.Profile(time.thread_time)
    try:
        with library(n, covers=True, latency=0.002, concurrency=concurrency) as lib, \
                quiet_log():
            start = time.thread_time()
            ctx = open_services(_connection(lib))
            opened = time.thread_time()
            _queue_versions(ctx, ctx.stash.scene_versions(), CHANGED)
            queued = time.thread_time()
            if profile is not None:
                main_profile.enable()
            tally = drain_now(ctx)
            main_profile.disable()
            drained = time.thread_time()
            ctx.close()
    finally:
        batch_module.Batch._write_one = write_one  # type: ignore[method-assign]
    if profile is not None:
        stats = pstats.Stats(main_profile)
        for prof in profiles:
            stats.add(prof)
        stats.dump_stats(str(profile))
    main = drained - queued
    pool = sum(pool_cpu)
    per = 1e6 / n
    threads = f"plex_concurrency {concurrency or 4}"
    return [
        {"step": "open_services (settings, stores)", "us": round((opened - start) * 1e6),
         "per": "run", "note": ""},
        {"step": "Sync All's listing and enqueue", "us": round((queued - opened) * per, 1),
         "per": "scene", "note": ""},
        {"step": "drain: the drain's own thread (fetch, match, plan, bookkeeping)",
         "us": round(main * per, 1), "per": "scene", "note": f"{tally.synced} written"},
        {"step": "drain: write pool threads (write_items per scene)",
         "us": round(pool * per, 1), "per": "scene", "note": threads},
        {"step": "drain: total", "us": round((main + pool) * per, 1), "per": "scene",
         "note": "as is"},
    ]


# -- the no-op sync ------------------------------------------------------------------------


def noop(n: int) -> list[Row]:
    """Sync All with nothing to do, without the first sync before it: every scene's record is
    written as current (as a first sync leaves it), then the real plexsync.py runs the task as
    a child process, and the same steps run here, each timed by its CPU clock and memory."""
    import tracemalloc

    from bench.process import cpu_seconds
    from stash.client import VERSIONS_PAGE
    from sync import freshness
    from sync_queue.job import CHANGED
    from tasks.sync import drain_now
    from worker.services import open_services

    rows: list[Row] = []
    with library(n, covers=False, latency=0.002) as lib, quiet_log():
        ctx = open_services(_connection(lib))
        fingerprint = ctx.config.plan_fingerprint()
        built = time.monotonic()
        for scene_id, updated_at in (v for page in ctx.stash.scene_versions() for v in page):
            ctx.stores.state.update_success(scene_id, "0", stash_updated_at=updated_at,
                                     scene_hash=f"bench:{fingerprint}")
        primed = time.monotonic() - built
        _doubles, before = cpu_seconds()
        measured = lib.task("sync_all")
        _doubles, after = cpu_seconds()
        rows.append({"step": "child plexsync.py sync_all, nothing to do: CPU",
                     "us": round((after - before) * 1e6), "per": "run",
                     "note": f"wall {measured.wall:.2f} s, peak {measured.peak_kb / 1024:.0f} MB, "
                             f"{measured.reply.get('output')}; state primed in {primed:.0f} s"})

        def step(name: str, fn: Callable[[], Any]) -> Any:
            tracemalloc.start()
            start = time.thread_time()
            result = fn()
            used = time.thread_time() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            rows.append({"step": name, "us": round(used * 1e6), "per": "run",
                         "note": f"{used * 1e6 / n:.1f} us/scene, peak {peak / 1e6:.1f} MB "
                                 "(traced, tracemalloc slows the step)"})
            return result

        pages = step(f"Stash: scene_versions() (pages of {VERSIONS_PAGE:,})",
                     lambda: list(ctx.stash.scene_versions()))

        def current() -> list:
            return ctx.stores.state.stale_versions(pages, lambda recorded, updated_at: (
                freshness.in_plex(recorded, settings=fingerprint, updated_at=updated_at)))[1]

        left = step("compare in SQLite (state.stale_versions: temp table, join)", current)
        step("queue.enqueue_many(nothing)", lambda: ctx.stores.queue.enqueue_many(left, CHANGED))
        step("drain_now on an empty queue (lock, persist-queue, counts)",
             lambda: drain_now(ctx))
        ctx.close()
    return rows


# -- memory ----------------------------------------------------------------------------------


def memory(n: int) -> list[Row]:
    """What the structures that grow with N hold, built from synthetic data of the same shape
    (tracemalloc: retained after building, and the peak while building)."""
    import gc
    import sqlite3
    import tempfile
    import tracemalloc

    from stash.client import VERSIONS_PAGE
    from sync.index_refresh import ListedItem
    from sync.matching import IndexEntry
    from sync_queue.index_cache import IndexCache

    rows: list[Row] = []

    def measure(name: str, build: Callable[[], Any]) -> Any:
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        kept = build()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"step": name, "us": round((current - base) / 1e6, 1), "per": "MB",
                     "note": f"peak while building {(peak - base) / 1e6:.1f} MB"})
        return kept

    paths = [f"/media/plex/studio-{i % 500:03d}/Some Scene Title Number {i} [1080p].mp4"
             for i in range(n)]
    entries = measure("index: the listing's IndexEntry list", lambda: [
        IndexEntry(str(100_000 + i), 1, path, 1_000_000_000 + i) for i, path in enumerate(paths)])

    def stored() -> IndexCache:
        folder = tempfile.mkdtemp()
        index = IndexCache(sqlite3.connect(f"{folder}/plexsync.db", isolation_level=None))
        for start in range(0, n, 2000):
            page = entries[start:start + 2000]
            index.put([ListedItem(e.rating_key, 1, None, (e,)) for e in page], 1)
        return index

    measure("index: those entries put into SQLite a page at a time (Python's share; SQLite's "
            "page cache is bounded)", stored)
    stamp = "2026-11-25T10:11:12+00:00"
    page = min(n, VERSIONS_PAGE)  # Sync All's light list, one page held at a time
    body = json.dumps({"data": {"findScenes": {"count": n, "scenes": [
        {"id": str(i), "updated_at": stamp} for i in range(page)]}}}).encode()

    def versions() -> list[tuple[int, str]]:
        data = json.loads(body)
        return [(int(s["id"]), s["updated_at"]) for s in data["data"]["findScenes"]["scenes"]]

    measure(f"Sync All light list, one page: json.loads of {len(body) / 1e6:.1f} MB + tuples",
            versions)
    return rows


# -- start-up ------------------------------------------------------------------------------


def startup() -> list[Row]:
    """CPU of a fresh interpreter importing what a Sync All imports, before any request."""
    code = ("import sys; sys.path.insert(0, %r); import resource, time;"
            "import tasks.sync, plex.client, plexapi.server, persistqueue, "
            "validation.scene, stashapi.stashapp;"
            "u = resource.getrusage(resource.RUSAGE_SELF); print(u.ru_utime + u.ru_stime)")
    root = str(Path(__file__).resolve().parent.parent)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code % root], capture_output=True, text=True,
                         check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return [{"step": "start-up: interpreter + imports of a task run", "us": round(total * 1e6),
             "per": "run", "note": f"{float(out):.3f} s inside the process"}]


def render(title: str, rows: list[Row]) -> str:
    lines = [title]
    for r in rows:
        unit = "MB      " if r["per"] == "MB" else f"us/{r['per']:<6}"
        lines.append(f"  {r['us']:>10,.1f} {unit} {r['step']}"
                     + (f"  [{r['note']}]" if r["note"] else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.costs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000, help="scenes (1000)")
    parser.add_argument("--reps", type=int, default=300, help="requests per HTTP step (300)")
    parser.add_argument("--only", choices=("steps", "drain", "noop", "memory", "startup"),
                        action="append",
                        help="run only these parts (default: steps, drain, startup; noop and "
                        "memory only when asked: noop builds its own library of --n scenes, "
                        "memory uses synthetic data of --n items)")
    parser.add_argument("--concurrency", type=int, help="plex_concurrency for the drain")
    parser.add_argument("--profile", type=Path, metavar="PSTATS",
                        help="cProfile the drain (both threads, CPU clock) into this file")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    parts = args.only or ["steps", "drain", "startup"]
    doc: dict[str, list[Row]] = {}
    if "steps" in parts:
        doc["steps"] = steps(args.n, args.reps)
        print(render(f"Steps (N={args.n:,}; CPU of the calling thread)", doc["steps"]))
    if "drain" in parts:
        doc["drain"] = drain(args.n, args.concurrency, args.profile)
        print(render(f"Whole drain in-process (N={args.n:,})", doc["drain"]))
    if "noop" in parts:
        doc["noop"] = noop(args.n)
        print(render(f"No-op Sync All (N={args.n:,})", doc["noop"]))
    if "memory" in parts:
        doc["memory"] = memory(args.n)
        print(render(f"Memory (N={args.n:,}, synthetic)", doc["memory"]))
    if "startup" in parts:
        doc["startup"] = startup()
        print(render("Start-up", doc["startup"]))
    if args.json:
        args.json.write_text(json.dumps(doc, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
