"""An older Python than PlexSync supports is named in one message, whatever it is.

Stash runs plugins with the `python3` it finds, or the one set as Python Executable Path
(stashapp/stash pkg/plugin/raw.go, python.Resolve), which may be years old. plexsync.py checks the
version before importing anything, and must itself parse on old Pythons for that check to run.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys

from tests.plugin_run import ENTRY, plugin_env


def test_an_older_python_gets_a_message_naming_its_version() -> None:
    # plexsync.py must parse on an old Python for its version check to run at all; ast cannot
    # tell that 3.6 refuses the __future__ import, hence the second assertion.
    tree = ast.parse(ENTRY.read_text(), feature_version=(3, 7))
    assert not [node for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and node.module == "__future__"]
    as_if_old = ("import runpy, sys; sys.version_info = (3, 8, 10, 'final', 0); "
                 "runpy.run_path(sys.argv[1], run_name='__main__')")
    payload = json.dumps({"server_connection": {}, "args": {"mode": "health_check"}})
    proc = subprocess.run([sys.executable, "-c", as_if_old, str(ENTRY)], input=payload,
                          capture_output=True, text=True, env=plugin_env(), timeout=60)
    message = (f"PlexSync needs Python 3.10 or newer, but Stash runs it with Python 3.8.10 "
               f"({sys.executable}): install a newer Python and enter its path in Settings > "
               "System > Application Paths > Python Executable Path, then reload plugins")
    assert proc.returncode == 1
    assert json.loads(proc.stdout) == {"output": None, "error": message}
    assert proc.stderr == f"\x01e\x02{message}\n"
