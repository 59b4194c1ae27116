"""The benchmark runs end to end on a tiny library and reports what it promises (not times)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.__main__ import main

PHASE_KEYS = {"wall_s", "ms_per_scene", "reply", "peak_mb", "traffic", "plex_per_scene",
              "peak_plex_in_flight", "peak_plex_per_second"}
TRAFFIC_KEYS = {"plex", "stash_graphql", "stash_images", "stash_fields", "plex_total",
                "plex_writes", "plex_uploads", "plex_listings", "stash_total"}
HOOK_KEYS = {"hooks", "hook_wall_s", "hook_to_plex_s", "hook_peak_mb", "plex_per_hook",
             "stash_per_hook", "traffic"}
STATS_KEYS = {"count", "p50", "p95", "max"}


def _bench(tmp_path: Path, *args: str) -> dict:
    out = tmp_path / "bench.json"
    assert main([*args, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def test_sync_reports_first_and_noop_sync(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    doc = _bench(tmp_path, "sync", "--n", "50")
    assert {"benchmark", "date", "machine", "command", "sync", "hooks"} <= set(doc)
    assert {"nproc", "python", "cpu", "platform", "load_at_start"} <= set(doc["machine"])
    [result] = doc["sync"]
    assert result["n"] == 50 and result["plex_items"] == 51  # one scene has two files
    for phase in (result["first"], result["second"]):
        assert set(phase) >= PHASE_KEYS and set(phase["traffic"]) >= TRAFFIC_KEYS
        assert phase["peak_mb"] > 0
    # Every item was bare, so the first sync writes each once; the second has nothing to do.
    assert result["first"]["traffic"]["plex_writes"] == 51
    assert result["first"]["traffic"]["plex_uploads"] == result["covered_items"] == 50
    assert result["second"]["traffic"]["plex_writes"] == 0
    assert result["second"]["traffic"]["stash_images"] == 0
    assert result["verified_scenes"] > 0
    assert all({"name", "limit", "actual", "met"} <= set(t) for t in result["targets"])
    shown = capsys.readouterr().out
    assert "N=50" in shown and "Targets:" in shown


def test_hooks_report_wall_time_and_latency(tmp_path: Path) -> None:
    doc = _bench(tmp_path, "hooks", "--n", "20", "--hooks", "3", "--burst", "2")
    hooks = doc["hooks"]
    assert doc["sync"] == [] and hooks["n"] == 20
    assert set(hooks["sequential"]) >= HOOK_KEYS and set(hooks["burst"]) >= HOOK_KEYS
    assert hooks["sequential"]["hooks"] == 3 and hooks["burst"]["hooks"] == 2
    for run in (hooks["sequential"], hooks["burst"]):
        assert set(run["hook_wall_s"]) == STATS_KEYS == set(run["hook_to_plex_s"])
        assert run["hook_to_plex_s"]["count"] == run["hooks"]
        # one edit per Plex item of a retitled scene (one scene of the sample has two)
        assert run["hooks"] <= run["traffic"]["plex_writes"] <= run["hooks"] + 1
    assert hooks["sequential"]["first_hook_to_plex_s"] is not None
    assert hooks["drainer_peak_mb"] > 0
    assert [t["name"] for t in hooks["targets"]] == [
        "hook process wall time p95 (s)", "hook-to-Plex latency p95 (s)"]


def test_help_describes_the_scenarios(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    shown = capsys.readouterr().out
    assert all(word in shown for word in ("sync", "hooks", "scale", "all", "Targets"))


def test_percentiles_are_nearest_rank_and_targets_compare_to_limits() -> None:
    from bench import stats, targets

    values = [float(v) for v in range(1, 21)]  # 1..20
    assert stats.summary(values) == {"count": 20, "p50": 10.0, "p95": 19.0, "max": 20.0}
    assert stats.summary([]) == {"count": 0, "p50": None, "p95": None, "max": None}
    phase = {"wall_s": 95.0, "peak_mb": 80.0,
             "traffic": {"plex_writes": 10_001, "plex_uploads": 10_000, "plex_listings": 6,
                         "stash_images": 10_001, "stash_total": 10_022}}
    met = {t.name: t.met for t in targets.first_sync(10_000, phase, items=10_001,
                                                     covered_items=10_000, sections=1)}
    assert met == {"first sync wall time (s)": False, "Plex writes <= 1 per changed item": True,
                   "Plex uploads <= 1 per new cover": True,
                   "Plex listings <= N/500 + sections": True,
                   "Stash requests <= N/500 + 2 + image downloads": True}
    # issue 15's definition: what the changed scenes cost beyond a run that changes nothing
    first, noop = {"plugin_cpu_s": 14.0}, {"plugin_cpu_s": 0.5}
    [cpu] = targets.cpu(10_000, first, noop)
    assert (cpu.actual, cpu.limit, cpu.met) == (1.35, 1.5, True)
    assert targets.cpu(50, first, noop) == []


def test_rescan_counts_what_is_listed_to_find_one_new_file(tmp_path: Path) -> None:
    doc = _bench(tmp_path, "rescan", "--n", "30")
    rescan = doc["rescan"]
    assert rescan["n"] == 30 and rescan["prime_items_listed"] == 31  # scene 1 has two files
    assert rescan["plex_scans"] == 1 and rescan["items_listed"] >= 1
    assert [t["name"] for t in rescan["targets"]] == ["Plex items listed to find 1 new file"]


def test_profile_writes_every_plugin_run_and_ranks_it(tmp_path: Path) -> None:
    from bench.profiled import top

    folder = tmp_path / "profile"
    _bench(tmp_path, "sync", "--n", "10", "--profile", str(folder))
    runs = sorted(folder.glob("*.pstats"))
    assert len(runs) == 2  # the first and the no-op sync, one child each
    assert all(p.with_suffix(".threads.txt").exists() for p in runs)
    ranked = top(runs[0], 5)
    assert "by own time" in ranked and "by cumulative time" in ranked


def test_costs_time_each_step_of_a_changed_scene(tmp_path: Path) -> None:
    from bench import costs

    out = tmp_path / "costs.json"
    assert costs.main(["--n", "12", "--reps", "3", "--only", "steps", "--only", "drain",
                       "--only", "memory", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    steps = {row["step"]: row["us"] for row in doc["steps"]}
    assert any(name.startswith("Plex: edit PUT") for name in steps)
    assert all(us >= 0 for us in steps.values())
    [total] = [row for row in doc["drain"] if row["step"] == "drain: total"]
    assert total["us"] > 0 and total["note"] == "as is"
    assert {row["per"] for row in doc["memory"]} == {"MB"}


def test_costs_noop_runs_the_child_on_primed_records(tmp_path: Path) -> None:
    from bench import costs

    out = tmp_path / "noop.json"
    assert costs.main(["--n", "12", "--only", "noop", "--json", str(out)]) == 0
    [child, *steps] = json.loads(out.read_text())["noop"]
    assert "12 of 12 scene(s) already current" in child["note"]
    assert len(steps) == 4  # the light list, the compare in SQLite, the enqueue, the drain
