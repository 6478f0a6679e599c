"""Socket.IO handlers: authenticate, parse, check permission, call the authority, emit.

Thin by design: payload rules live in ``protocol``, persistence in the
``EditLog`` behind ``authority``, presence in ``presence``. Each handler
returns its ack envelope. Never imports SQL.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import request, session
from flask_socketio import SocketIO, join_room, leave_room
from socketio.exceptions import ConnectionRefusedError

from ..auth import require
from ..auth.origins import origin_allowed
from ..auth.sessions import Identity, check_credential, load_identity, session_credential
from ..errors import TuttiError
from . import protocol
from .authority import Authority
from .broadcast import Broadcaster, room_of, user_room
from .presence import Peer, PresenceRegistry
from .presence_redis import RedisPresence
from .ratelimit import TokenBucket

if TYPE_CHECKING:
    from ..history_service import HistoryService
    from ..observability import Observability

log = logging.getLogger(__name__)
Handler = Callable[..., Any]


def _may_edit(role: str | None) -> None:
    require(role, "editor", "edit this score")


@dataclass
class Connection:
    """What the server knows about one socket: who it is, where it is, its edit budget."""

    identity: Identity
    credential: int  # the session or token it authenticated with (revoked -> cut)
    bucket: TokenBucket  # edits
    events: TokenBucket  # everything else (join, fetch, select, leave)
    scores: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)  # score -> role told to the client


class SyncHandlers:
    """Registers the protocol's handlers on one ``SocketIO`` and keeps per-connection state."""

    def __init__(
        self,
        socketio: SocketIO,
        authority: Authority,
        limits: protocol.Limits,
        presence: PresenceRegistry | RedisPresence | None = None,
        metrics: Observability | None = None,
        history: Callable[[], HistoryService] | None = None,
        broadcast: Broadcaster | None = None,
        live_credentials: Callable[[set[int]], set[int]] | None = None,
        cors_origins: tuple[str, ...] = (),
    ) -> None:
        self.socketio = socketio
        # Which of these session/token ids are still live (``Credentials.live_ids``).
        self.credentials_live = live_credentials or (lambda ids: ids)
        self.cors_origins = cors_origins  # TUTTI_CORS_ORIGINS: cookie sockets from these too
        self.broadcast = broadcast if broadcast is not None else Broadcaster(socketio)
        self.metrics = metrics
        # The app's one HistoryService (it keeps each score's history view): ``revert``.
        self.history = history
        self.authority = authority
        self.limits = limits
        self.presence = presence if presence is not None else PresenceRegistry()
        self._connections: dict[str, Connection] = {}
        # score -> (access version, next link expiry as a time.time()) when last checked
        self._access_seen: dict[str, tuple[int | None, float | None]] = {}
        self._lock = threading.Lock()
        if metrics is not None:  # read when scraped: nothing to keep up to date per event
            metrics.connections.set_function(lambda: len(self._connections))
            metrics.rooms.set_function(self.room_count)

    # --- wiring -------------------------------------------------------------------------

    def register(self) -> None:
        on = self.socketio.on_event
        on("connect", self.on_connect)
        on("disconnect", self.on_disconnect)
        on(protocol.JOIN, self._guard(self.on_join, limited=True))
        on(protocol.LEAVE, self._guard(self.on_leave, limited=True))
        on(protocol.SUBMIT, self._guard(self.on_submit))  # has its own edit budget
        on(protocol.FETCH, self._guard(self.on_fetch, limited=True))
        on(protocol.SELECT, self._guard(self.on_select, limited=True))
        if self.history is not None:
            on(protocol.REVERT, self._guard(self.on_revert))  # an edit: the edit budget

    def _guard(self, handler: Handler, *, limited: bool = False) -> Handler:
        """Turn refusals into error acks; an unexpected failure becomes ``server_error``.

        ``limited`` handlers spend from the connection's event budget first, so a
        client cannot flood the room with presence updates or the database with reads.
        """

        def guarded(payload: Any = None, *_: Any) -> dict[str, Any]:
            started = time.perf_counter()
            try:
                if limited:
                    events = self._connection().events
                    if not events.take():
                        raise protocol.ProtocolError(
                            protocol.RATE_LIMITED,
                            "too many requests; slow down",
                            retry_after=round(events.retry_after(), 3),
                        )
                ack = dict(handler(payload))
            except TuttiError as exc:  # protocol, role, score model, not found, history...
                ack = protocol.from_refusal(exc)
            except Exception:
                log.exception("%s handler failed", handler.__name__)
                ack = protocol.error(protocol.SERVER_ERROR, "the server failed; try again")
            self._observe(handler.__name__, started, ack)
            return ack

        guarded.__name__ = handler.__name__
        return guarded

    def _observe(self, name: str, started: float, ack: dict[str, Any]) -> None:
        """Count the ack into the metrics (/metrics): refusals by code, submits' latency."""
        metrics = self.metrics
        if metrics is None:
            return
        if not ack.get("ok"):
            metrics.refused.labels(code=str(ack.get("error", {}).get("code"))).inc()
        elif name == "on_submit" and not ack.get("duplicate"):
            metrics.edits.inc()
            metrics.ack_latency.observe(time.perf_counter() - started)

    def _sid(self) -> str:
        return str(request.sid)  # type: ignore[attr-defined]

    def _connection(self) -> Connection:
        conn = self._connections.get(self._sid())
        if conn is None:  # connect refused or already gone
            raise protocol.ProtocolError(protocol.NOT_AUTHENTICATED, "not connected")
        return conn

    def _joined(self, score_id: str) -> Connection:
        conn = self._connection()
        if score_id not in conn.scores:
            raise protocol.ProtocolError(protocol.NOT_JOINED, f"join score {score_id} first")
        return conn

    def _role(self, score_id: str, conn: Connection) -> str | None:
        return self.authority.role_of(score_id, conn.identity.id)

    def watch_roles(self) -> None:
        """Background loop: every ``role_recheck_s`` (1 s), ``recheck_access``."""
        while True:
            self.socketio.sleep(self.limits.role_recheck_s)
            try:
                self.recheck_access()
            except Exception:  # noqa: BLE001 - the database may be away for a moment
                log.exception("access recheck failed")

    def recheck_access(self) -> None:
        """Cut sockets whose session or token was revoked (by any process); evict
        connections that lost access to a joined score, tell the others a new role.

        Cheap by design: one read of the joined scores' access versions (bumped by every
        membership, link or trash change, by any process: the CLI included); roles are
        re-read only in a score whose version moved, or whose next link expiry passed.
        Every event re-reads the role anyway; this is what stops the live broadcasts.
        """
        with self._lock:
            used = {c.credential for c in self._connections.values()}
        if used:
            dead = used - self.credentials_live(used)
            if dead:
                self.disconnect_credentials(dead, "credential revoked")
        with self._lock:
            joined = {s for c in self._connections.values() for s in c.scores}
        for gone in set(self._access_seen) - joined:
            del self._access_seen[gone]
        if not joined:
            return
        versions = self.authority.access_versions(sorted(joined))
        now = time.time()
        for score_id in joined:
            version = versions.get(score_id)  # None: purged from the database
            seen = self._access_seen.get(score_id)
            if seen is not None and seen[0] == version and (seen[1] is None or now < seen[1]):
                continue
            # The version is read before the roles: a change between the two reads is
            # seen again on the next round, never missed.
            expiry = self.authority.next_expiry(score_id) if version is not None else None
            self._access_seen[score_id] = (version, expiry)
            self._recheck_room(score_id)

    def _recheck_room(self, score_id: str) -> None:
        with self._lock:
            joined = [(sid, c) for sid, c in self._connections.items() if score_id in c.scores]
        roles: dict[int, str | None] = {}
        left = False
        for sid, conn in joined:
            uid = conn.identity.id
            if uid not in roles:
                roles[uid] = self.authority.role_of(score_id, uid)
            role = roles[uid]
            if role is None:
                conn.scores.discard(score_id)
                conn.roles.pop(score_id, None)
                self.broadcast.revoke(sid, score_id, self.authority.lost_access_reason(score_id))
                left = self.presence.leave(score_id, sid) or left
            elif conn.roles.get(score_id) != role:
                conn.roles[score_id] = role
                self.broadcast.role_changed(sid, score_id, role)
        if left:
            self._broadcast_presence(score_id)

    def disconnect_credentials(self, credential_ids: set[int], reason: str) -> None:
        """Tell and cut this process's sockets opened with these (revoked) credentials."""
        with self._lock:
            victims = [
                (sid, c) for sid, c in self._connections.items() if c.credential in credential_ids
            ]
        for sid, conn in victims:
            for score_id in list(conn.scores):
                self.broadcast.revoke(sid, score_id, reason)
            self.socketio.server.disconnect(sid, namespace="/")

    def _broadcast_presence(self, score_id: str) -> None:
        self.broadcast.presence(score_id, self.presence.peers(score_id))

    def room_count(self) -> int:
        """Scores at least one of this process's connections has joined."""
        with self._lock:
            return len({s for c in self._connections.values() for s in c.scores})

    # --- connection life cycle -------------------------------------------------------------

    def on_connect(self, auth: Any = None) -> None:
        """A live session cookie (same-origin browser: engineio refuses a foreign Origin
        before this runs) or ``auth={"token"}``; anything else is refused."""
        if isinstance(auth, dict) and "token" in auth:
            cred = check_credential(auth["token"], "token")
            if cred is None:
                raise ConnectionRefusedError(
                    "invalid, revoked or expired token", {"code": protocol.NOT_AUTHENTICATED}
                )
        else:
            # engineio already refuses a foreign Origin unless TUTTI_CORS_ORIGINS lets it
            # in; even then ("*") the cookie is honoured for our own origins only.
            claimed = request.headers.get("Origin")
            own = f"{request.scheme}://{request.host}"
            if claimed is not None and not origin_allowed(claimed, own, self.cors_origins):
                raise ConnectionRefusedError(
                    "cookie log-in from another site", {"code": "bad_origin"}
                )
            cred = session_credential(session)
        identity = load_identity(cred.user_id) if cred is not None else None
        if cred is None or identity is None:
            raise ConnectionRefusedError("log in first", {"code": protocol.NOT_AUTHENTICATED})
        limits = self.limits
        bucket = TokenBucket(limits.edit_rate, limits.edit_burst)
        events = TokenBucket(limits.event_rate, limits.event_burst)
        with self._lock:
            self._connections[self._sid()] = Connection(identity, cred.id, bucket, events)
        # Notifications (mentions) reach a person on every socket they have open.
        join_room(user_room(identity.id))

    def on_disconnect(self, *_: Any) -> None:
        sid = self._sid()
        with self._lock:
            self._connections.pop(sid, None)
        for score_id in self.presence.leave_all(sid):
            self._broadcast_presence(score_id)

    # --- events ------------------------------------------------------------------------------

    def on_join(self, payload: Any) -> dict[str, Any]:
        req = protocol.parse_join(payload)
        conn = self._connection()
        role = require(self._role(req.score, conn), "viewer", "open this score")
        # Room first, then read: an edit committed meanwhile is broadcast to us or is
        # in what we read (or both; clients drop seqs they already hold).
        join_room(room_of(req.score))
        conn.scores.add(req.score)
        conn.roles[req.score] = role
        catch_up = self.authority.catch_up(req.score, req.since)
        identity = conn.identity
        self.presence.enter(
            req.score,
            Peer(self._sid(), identity.id, identity.name, identity.display_name, identity.colour),
        )
        self._broadcast_presence(req.score)
        return protocol.ok(
            score=req.score,
            role=role,
            user=identity.to_wire(),
            presence=self.presence.peers(req.score),
            **catch_up,
        )

    def on_leave(self, payload: Any) -> dict[str, Any]:
        score_id = protocol.parse_score_only(payload)
        conn = self._joined(score_id)
        leave_room(room_of(score_id))
        conn.scores.discard(score_id)
        conn.roles.pop(score_id, None)
        if self.presence.leave(score_id, self._sid()):
            self._broadcast_presence(score_id)
        return protocol.ok(score=score_id)

    def on_submit(self, payload: Any) -> dict[str, Any]:
        from ..editing import ClientSeqReused, OutOfOrder

        req = protocol.parse_submit(payload, self.limits)
        conn = self._joined(req.score)
        if not conn.bucket.take():
            raise protocol.ProtocolError(
                protocol.RATE_LIMITED,
                "too many edits; slow down",
                retry_after=round(conn.bucket.retry_after(), 3),
            )
        # The author is the authenticated user; any author in the payload is ignored.
        # The role is checked inside the edit's own transaction: one round trip, not two.
        try:
            edit = self.authority.submit(conn.identity.id, req, _may_edit)
        except ClientSeqReused as exc:
            raise protocol.ProtocolError(
                protocol.CLIENT_SEQ_REUSED, str(exc), seq=exc.seq
            ) from None
        except OutOfOrder as exc:
            raise protocol.ProtocolError(protocol.OUT_OF_ORDER, str(exc), after=exc.after) from None
        if not edit.duplicate:
            # Committed: now (and only now) tell everyone, the sender included.
            self.broadcast.edit(req.score, self.authority.wire(edit, req))
        return protocol.ok(seq=edit.seq, skipped=edit.skipped, duplicate=edit.duplicate)

    def on_fetch(self, payload: Any) -> dict[str, Any]:
        req = protocol.parse_fetch(payload)
        conn = self._joined(req.score)
        require(self._role(req.score, conn), "viewer", "read this score")
        return protocol.ok(score=req.score, **self.authority.fetch(req))

    def on_select(self, payload: Any) -> dict[str, Any]:
        req = protocol.parse_select(payload)
        self._joined(req.score)
        if self.presence.select(req.score, self._sid(), req.selection):
            self._broadcast_presence(req.score)
        return protocol.ok()

    def on_revert(self, payload: Any) -> dict[str, Any]:
        """Selective revert of one edit as a new ``revert`` edit (undo and redo).

        Runs in order with this connection's submits (``async_handlers=False``), so an
        edit submitted before it is in the log when it is planned.
        """
        req = protocol.parse_revert(payload)
        conn = self._joined(req.score)
        if not conn.bucket.take():
            raise protocol.ProtocolError(
                protocol.RATE_LIMITED,
                "too many edits; slow down",
                retry_after=round(conn.bucket.retry_after(), 3),
            )
        assert self.history is not None
        history = self.history()
        user_id = conn.identity.id
        # A HistoryError (or the role check's AuthError) is a TuttiError: the guard
        # turns it into the error ack with its code and extra fields.
        seq = req.seq
        if seq is None:
            assert req.client_id is not None and req.client_seq is not None
            seq = history.seq_of_own_edit(req.score, user_id, req.client_id, req.client_seq)
        report, edit = history.revert(req.score, user_id, [seq], None)
        if edit is not None:
            self.broadcast.committed(edit)
        return protocol.ok(score=req.score, **report)
