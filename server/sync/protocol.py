"""The Socket.IO protocol in one place: event names, envelope builders and payload parsing.

Every ack is built here (``ok(...)`` / ``error(code, message)``) and every
incoming payload is checked here, so handlers stay thin. Pure: imports only the
stdlib and ``server.score``; never Flask, Socket.IO or SQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import TuttiError, body_of, error_body
from ..score.limits import json_problem
from ..score.ops._common import ID_PATTERN

# --- event names (client -> server) -----------------------------------------------------
JOIN = "join"
LEAVE = "leave"
SUBMIT = "submit"
FETCH = "fetch"
SELECT = "select"
REVERT = "revert"  # selective revert of named edits (the editor's undo and redo)

# --- event names (server -> client) -----------------------------------------------------
EDIT = "edit"
PRESENCE = "presence"
#: ``{"score", "reason"}``: you lost access to the score (removed, your share link was
#: revoked or expired, the score was deleted) and were taken out of its room.
REVOKED = "revoked"
#: ``{"score", "role"}``: your role in a joined score changed (e.g. editor -> viewer).
ROLE_CHANGED = "role_changed"
#: A suggestion was requested, decided or reverted, or the score's helper switch moved:
#: ``{"score", "action", "suggestion"?, "settings"?}`` (emitted by the helper API).
SUGGESTIONS = "suggestions"
#: A comment thread was created, replied to, edited, resolved, reopened or deleted:
#: ``{"score", "action", "thread_id", "thread"}`` (``thread`` null once deleted; emitted by
#: the comments API to the score's room).
COMMENT = "comment"
#: Something for one person (so far: a mention), to that user's sockets only:
#: ``{"id", "kind", "score", "comment", "thread", "actor", "excerpt", "created_at", "read"}``.
NOTIFICATION = "notification"

# --- error codes --------------------------------------------------------------------------
BAD_REQUEST = "bad_request"
NOT_AUTHENTICATED = "not_authenticated"
FORBIDDEN = "forbidden"
NOT_FOUND = "not_found"
NOT_JOINED = "not_joined"
INVALID_OP = "invalid_op"
#: The submit's (client_id, client_seq) is already logged with a different edit.
CLIENT_SEQ_REUSED = "client_seq_reused"
PAYLOAD_TOO_LARGE = "payload_too_large"
RATE_LIMITED = "rate_limited"
#: The submit names (``after``) an earlier edit of its client that is not stored yet:
#: it would run without it. Retryable once that one is stored.
OUT_OF_ORDER = "out_of_order"
SERVER_ERROR = "server_error"
NOT_STORED = "not_stored"  # revert by client ids: no such edit of yours in the log (yet)

#: An offset written with a 5+ digit exponent ("1e-100000000"): its exact fraction
#: costs time exponential in the digits, so one op could freeze the server. Refused
#: before the score model sees it (defence in depth; the model should refuse it too).
HUGE_EXPONENT = re.compile(r"[eE][+-]?\d{5,}")

#: A client id: the same safe charset as element ids. It is echoed to every peer and
#: becomes part of the ids its edits create, which end up in CSS selectors and SVG.
CLIENT_ID_PATTERN = ID_PATTERN

#: When a joining client is further behind than this, it gets a snapshot instead of edits.
CATCH_UP_LIMIT = 500
#: Most edits one ``fetch`` returns; ask again from the last seq for more.
FETCH_LIMIT = 500

Envelope = dict[str, Any]


class ProtocolError(TuttiError):
    """A request the server refuses; becomes an error ack with a snake_case code."""


def ok(**fields: Any) -> Envelope:
    """A success ack: ``{"ok": true, ...fields}``."""
    return {"ok": True, **fields}


#: An error ack: ``{"ok": false, "error": {"code", "message", ...extra}}`` (the same body
#: as an HTTP error: ``server.errors`` is the one mapping).
error = error_body


def from_refusal(exc: TuttiError) -> Envelope:
    """The error ack of any refusal (protocol, auth, score model (``invalid_op`` +
    ``op_index``), not found...)."""
    return body_of(exc)


def presence_message(score_id: str, peers: list[dict[str, Any]]) -> Envelope:
    """The full list of people in a score, sent to its room whenever it changes."""
    return {"score": score_id, "peers": peers}


# --- incoming payloads ----------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Size and rate limits checked before an edit reaches the score service.

    Read from ``TUTTI_SYNC_MAX_OPS``, ``TUTTI_SYNC_MAX_EDIT_BYTES``,
    ``TUTTI_SYNC_EDIT_RATE`` (edits/s per connection), ``TUTTI_SYNC_EDIT_BURST``, and
    ``TUTTI_SYNC_EVENT_RATE``/``_BURST`` for every other event (join, fetch, select...),
    ``TUTTI_SYNC_FRAME_RATE``/``_BURST`` and ``TUTTI_SYNC_FLOOD_DISCONNECT_S`` for raw frames.
    """

    max_ops: int = 500
    max_edit_bytes: int = 256 * 1024
    edit_rate: float = 50.0
    edit_burst: float = 200.0
    event_rate: float = 30.0
    event_burst: float = 100.0
    #: engineio's cap on one message; a bigger frame closes that connection only.
    max_message_bytes: int = 1024 * 1024
    #: How often each process polls its joined scores' access versions (removed -> evicted).
    role_recheck_s: float = 1.0
    #: Inbound frames per second per connection (plus one token per 16 KB), before parsing;
    #: over it the connection is slowed, and cut after ``flood_disconnect_s`` (sync/flow.py).
    frame_rate: float = 100.0
    frame_burst: float = 300.0
    flood_disconnect_s: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        def number(name: str, default: float) -> float:
            raw = env.get(f"TUTTI_SYNC_{name.upper()}")
            if raw in (None, ""):
                return default
            try:
                value = float(raw)
            except ValueError:
                raise ValueError(f"TUTTI_SYNC_{name.upper()} must be a number") from None
            if value <= 0:
                raise ValueError(f"TUTTI_SYNC_{name.upper()} must be positive")
            return value

        return cls(
            max_ops=int(number("max_ops", cls.max_ops)),
            max_edit_bytes=int(number("max_edit_bytes", cls.max_edit_bytes)),
            edit_rate=number("edit_rate", cls.edit_rate),
            edit_burst=number("edit_burst", cls.edit_burst),
            event_rate=number("event_rate", cls.event_rate),
            event_burst=number("event_burst", cls.event_burst),
            max_message_bytes=int(number("max_message_bytes", cls.max_message_bytes)),
            role_recheck_s=number("role_recheck_s", cls.role_recheck_s),
            frame_rate=number("frame_rate", cls.frame_rate),
            frame_burst=number("frame_burst", cls.frame_burst),
            flood_disconnect_s=number("flood_disconnect_s", cls.flood_disconnect_s),
        )


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ProtocolError(BAD_REQUEST, "the payload must be a JSON object")
    return payload


def _score_id(payload: dict[str, Any]) -> str:
    score = payload.get("score")
    if not isinstance(score, str) or not 0 < len(score) <= 64:
        raise ProtocolError(BAD_REQUEST, "score must be a score id string")
    return score


def _client_id(payload: dict[str, Any]) -> str:
    client_id = payload.get("client_id")
    if not isinstance(client_id, str) or not CLIENT_ID_PATTERN.fullmatch(client_id):
        raise ProtocolError(BAD_REQUEST, "client_id must be 1..64 of A-Z a-z 0-9 _ . : ~ -")
    return client_id


def _seq(payload: dict[str, Any], name: str, *, optional: bool = False) -> int | None:
    value = payload.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProtocolError(BAD_REQUEST, f"{name} must be a non-negative integer")
    return value


@dataclass(frozen=True)
class JoinRequest:
    score: str
    since: int | None


def parse_join(payload: Any) -> JoinRequest:
    data = _object(payload)
    return JoinRequest(_score_id(data), _seq(data, "since", optional=True))


def parse_score_only(payload: Any) -> str:
    """``leave``: just ``{"score"}``."""
    return _score_id(_object(payload))


@dataclass(frozen=True)
class SubmitRequest:
    score: str
    client_id: str
    client_seq: int
    ops: list[dict[str, Any]]
    #: The client_seq of the client's previous edit not yet acked, which must be stored first.
    after: int | None = None


def parse_submit(payload: Any, limits: Limits) -> SubmitRequest:
    """Check shape and size; the score model validates each op's meaning later."""
    data = _object(payload)
    score = _score_id(data)
    client_id = _client_id(data)
    client_seq = _seq(data, "client_seq")
    assert client_seq is not None
    after = _seq(data, "after", optional=True)
    ops = data.get("ops")
    if not isinstance(ops, list) or not ops or not all(isinstance(op, dict) for op in ops):
        raise ProtocolError(BAD_REQUEST, "ops must be a non-empty list of op objects")
    if len(ops) > limits.max_ops:
        raise ProtocolError(
            PAYLOAD_TOO_LARGE, f"an edit holds at most {limits.max_ops} ops, got {len(ops)}"
        )
    problem = json_problem(ops)
    if problem is not None:
        raise ProtocolError(BAD_REQUEST, f"ops are not plain JSON: {problem}")
    text = json.dumps(ops, separators=(",", ":"))
    if len(text) > limits.max_edit_bytes:
        raise ProtocolError(
            PAYLOAD_TOO_LARGE,
            f"an edit's ops may take at most {limits.max_edit_bytes} bytes, got {len(text)}",
        )
    if '"offset"' in text and _huge_offset(ops):
        raise ProtocolError(BAD_REQUEST, "offsets with huge exponents are not accepted")
    return SubmitRequest(score, client_id, client_seq, ops, after)


def _huge_offset(value: Any) -> bool:
    """True if any ``offset`` string anywhere in ``value`` carries a huge exponent."""
    if isinstance(value, dict):
        offset = value.get("offset")
        if isinstance(offset, str) and HUGE_EXPONENT.search(offset):
            return True
        return any(_huge_offset(v) for v in value.values())
    if isinstance(value, list):
        return any(_huge_offset(v) for v in value)
    return False


@dataclass(frozen=True)
class FetchRequest:
    score: str
    first: int
    last: int | None


def parse_fetch(payload: Any) -> FetchRequest:
    """``{"score", "from", "to"?}``: edits with ``from <= seq <= to`` (inclusive)."""
    data = _object(payload)
    score = _score_id(data)
    first = _seq(data, "from")
    assert first is not None
    last = _seq(data, "to", optional=True)
    if last is not None and last < first:
        raise ProtocolError(BAD_REQUEST, "to must not be smaller than from")
    return FetchRequest(score, max(first, 1), last)


@dataclass(frozen=True)
class SelectRequest:
    score: str
    selection: list[str]


MAX_SELECTION = 1000


def parse_select(payload: Any) -> SelectRequest:
    data = _object(payload)
    score = _score_id(data)
    selection = data.get("selection", [])
    if (
        not isinstance(selection, list)
        or len(selection) > MAX_SELECTION
        or not all(isinstance(x, str) and ID_PATTERN.fullmatch(x) for x in selection)
    ):
        # Peers turn these ids into CSS selectors: anything but an element id's safe
        # charset ("x\n} body {display:none}") is refused here, and escaped there too.
        raise ProtocolError(
            BAD_REQUEST,
            f"selection must be a list of at most {MAX_SELECTION} element ids "
            "(1..64 of A-Z a-z 0-9 _ . : ~ -)",
        )
    return SelectRequest(score, list(selection))


@dataclass(frozen=True)
class RevertRequest:
    """Revert one edit: named by ``seq``, or (your own) by ``client_id`` + ``client_seq``."""

    score: str
    seq: int | None
    client_id: str | None
    client_seq: int | None


def parse_revert(payload: Any) -> RevertRequest:
    """``{"score", "seq"}`` or ``{"score", "client_id", "client_seq"}``, never both."""
    data = _object(payload)
    score = _score_id(data)
    seq = _seq(data, "seq", optional=True)
    named = "client_id" in data or "client_seq" in data
    if (seq is None) == (not named):
        raise ProtocolError(BAD_REQUEST, "name the edit by seq, or by client_id and client_seq")
    if seq is not None:
        if seq < 1:
            raise ProtocolError(BAD_REQUEST, "seq must be a positive integer")
        return RevertRequest(score, seq, None, None)
    return RevertRequest(score, None, _client_id(data), _seq(data, "client_seq"))
