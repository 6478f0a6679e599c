"""How ``tutti serve`` runs: the threading mode works end to end, eventlet is patched first,
and psycopg2 queries yield to other greenlets instead of blocking the whole server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from server.client import TuttiClient
from server.editing import EditLog
from server.persistence import Database
from tests.support.records import records

from .conftest import REPO, LiveServer

PYTHON = str(REPO / ".venv" / "bin" / "python")


def _run(code: str) -> str:
    result = subprocess.run(
        [PYTHON, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_threading_mode_serves_the_same_protocol(
    db_url: str, start_server: Callable[..., LiveServer], clients: list[TuttiClient]
) -> None:
    server = start_server(db_url, {"TUTTI_ASYNC_MODE": "threading"})
    service = EditLog(Database(db_url))
    try:
        ana, bob = server.signup("ana"), server.signup("bob")
        score = service.create_score(ana["id"])
        records(service).members.set_member(score, bob["id"], "editor")
        a, b = server.client("ana"), server.client("bob")
        clients += [a, b]
        a.join(score)
        b.join(score)
        a.submit([{"op": "set_meta", "title": "Threads"}])
        b.submit([{"op": "set_meta", "composer": "Both"}])
        a.wait_synced()
        b.wait_synced()
        assert a.document == b.document == service.load(score)[0]
        assert "(threading)" in server.log()
    finally:
        service.db.dispose()


def test_importing_the_entry_points_loads_no_flask() -> None:
    """Monkey-patching must come first: the package and the CLI import nothing heavy."""
    out = _run(
        """
        import sys
        import server, server.cli, server.serving, server.config
        heavy = [m for m in ("flask", "sqlalchemy", "psycopg2", "eventlet", "socketio")
                 if m in sys.modules]
        print(heavy)
        """
    )
    assert out.strip() == "[]"


@pytest.mark.postgres
def test_psycopg2_yields_to_other_greenlets_under_eventlet(pg_url: str) -> None:
    """A 0.5 s query must not freeze the server: other greenlets keep running meanwhile."""
    out = _run(
        f"""
        from server.serving import prepare_async
        prepare_async("eventlet")
        import time, eventlet, psycopg2
        from sqlalchemy.engine import make_url
        url = make_url({str(pg_url)!r})
        ticks = []
        def ticker():
            for _ in range(60):
                ticks.append(time.monotonic())
                eventlet.sleep(0.01)
        conn = psycopg2.connect(host=url.host, port=url.port, user=url.username,
                                dbname=url.database)
        thread = eventlet.spawn(ticker)
        eventlet.sleep(0)
        start = time.monotonic()
        conn.cursor().execute("SELECT pg_sleep(0.5)")
        end = time.monotonic()
        thread.wait()
        print(sum(start <= t <= end for t in ticks))
        """
    )
    assert int(out.strip()) >= 20  # ~45 expected; 0-1 if the query blocked the hub


def test_python_m_server_serving_is_an_entry_point(tmp_path: Path) -> None:
    out = subprocess.run(
        [PYTHON, "-m", "server.serving", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0 and "--port" in out.stdout
    assert sys.executable  # the test runs under the project's interpreter too
