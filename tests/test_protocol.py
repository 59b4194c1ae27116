"""plexsync.py speaks Stash's protocol: one JSON reply on stdout, log lines on stderr."""

from __future__ import annotations

import json

import pytest

from tests.plugin_run import run_plugin

CONNECTION = {"Scheme": "http", "Host": "0.0.0.0", "Port": 1, "SessionCookie": None,
              "Dir": "/nonexistent", "PluginDir": "/nonexistent"}


def assert_clean_error(run, reason: str) -> None:  # type: ignore[no-untyped-def]
    assert run.returncode != 0
    assert json.loads(run.stdout).keys() >= {"error"}  # exactly one JSON object, nothing else
    assert reason in run.result["error"]
    assert "\n" not in run.result["error"]
    assert any(reason in text for text in run.messages("error"))
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("stdin", "reason"),
    [
        ("", "no input on stdin"),
        ("this is not json", "stdin is not JSON"),
        ("[1, 2]", "not a JSON object"),
        (json.dumps({"args": {"mode": "sync_all"}}), "server_connection is missing"),
        (json.dumps({"server_connection": CONNECTION, "args": {}}), "neither a hook"),
        (json.dumps({"server_connection": CONNECTION, "args": {"mode": "explode"}}),
         "unknown task mode 'explode'"),
        (json.dumps({"server_connection": CONNECTION,
                     "args": {"hookContext": {"id": 3, "type": "Image.Update.Post"}}}),
         "unsupported hook type 'Image.Update.Post'"),
        (json.dumps({"server_connection": CONNECTION,
                     "args": {"hookContext": {"id": "x", "type": "Scene.Update.Post"}}}),
         "is not a number"),
        (json.dumps({"server_connection": {**CONNECTION, "Port": "abc"},
                     "args": {"mode": "sync_all"}}), "Port is not a number"),
    ],
)
def test_bad_input_gives_one_line_reason_and_nonzero_exit(stdin: str, reason: str) -> None:
    assert_clean_error(run_plugin(stdin), reason)


def test_bad_input_leaves_the_queue_as_it_was(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from sync_queue.datadir import resolve_data_dir
    from sync_queue.jobs import JobQueue

    data_dir = resolve_data_dir(None, str(tmp_path))
    queue = JobQueue(str(data_dir))
    queue.enqueue(7, "2026-11-25T01:00:00+01:00")
    before = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    connection = {**CONNECTION, "Dir": str(tmp_path)}
    for args in ({"mode": "explode"}, {"hookContext": {"id": 7, "type": "Gallery.Update.Post"}},
                 {"hookContext": {"type": "Scene.Update.Post"}}, {}):
        run = run_plugin(json.dumps({"server_connection": connection, "args": args}))
        assert run.returncode != 0 and "error" in run.result
    assert [(j.scene_id, j.updated_at) for j in queue.waiting()] == [
        (7, "2026-11-25T01:00:00+01:00")]
    after = {p.name: p.read_bytes() for p in data_dir.iterdir() if p.is_file()}
    assert after.keys() == before.keys()
    queue.close()


def test_a_byte_order_mark_before_the_json_is_tolerated() -> None:
    payload = json.dumps({"server_connection": CONNECTION, "args": {"mode": "explode"}})
    # Parsed past the mark: the mode itself is what is refused.
    assert_clean_error(run_plugin(b"\xef\xbb\xbf" + payload.encode()), "unknown task mode")


def test_input_that_is_not_utf8_gives_one_line_reason() -> None:
    payload = json.dumps({"server_connection": CONNECTION, "args": {"mode": "x\u00e9"}},
                         ensure_ascii=False)
    assert_clean_error(run_plugin(payload.encode("latin-1")), "stdin is not UTF-8")
