"""Operator endpoints: ``GET /healthz`` (database and message queue reachable) and
``GET /metrics`` (this worker's numbers, Prometheus text format). Neither needs a log-in;
neither reveals scores or users. Imports no SQL (``Database.ping`` does the round trip).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue

from ..extensions import get_edit_log, get_observability, get_settings
from ..observability import CONTENT_TYPE

bp = Blueprint("health", __name__)


def _queue_reachable(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    try:
        client.ping()
    finally:
        client.close()


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """200 when the database answers (and the Redis queue, when one is configured), else 503."""
    checks: dict[str, str] = {}
    try:
        get_edit_log().db.ping()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure is "unreachable", with its reason
        checks["database"] = f"unreachable: {type(exc).__name__}"
    queue = get_settings().message_queue
    if not queue:
        checks["queue"] = "none"
    else:
        try:
            _queue_reachable(queue)
            checks["queue"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["queue"] = f"unreachable: {type(exc).__name__}"
    healthy = all(v in ("ok", "none") for v in checks.values())
    return jsonify({"ok": healthy, **checks}), 200 if healthy else 503


@bp.get("/metrics")
def metrics() -> ResponseReturnValue:
    return Response(get_observability().render(), content_type=CONTENT_TYPE)
