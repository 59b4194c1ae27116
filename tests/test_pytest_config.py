"""The suite's own configuration: a run always ends with pytest's summary line.

With `-q` in pyproject's addopts, the `-q` people add on the command line made it `-qq`, and at
that verbosity pytest omits its closing "N passed in Xs" line: a run looked cut off.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.plugin_run import ROOT


def test_a_quiet_run_ends_with_the_summary_line() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests/test_clean.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    last = run.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+ passed in [\d.]+s( \(.*\))?", last), run.stdout
