"""``Broadcaster``: the one place that names a score's Socket.IO room and emits server ->
client events (``edit``, ``presence``, ``revoked``, ``role_changed``, ``suggestions``,
``comment``, ``notification``; names from ``protocol``). Socket handlers and web blueprints
emit through it.

Who receives is decided by the caller (a score's room, or one socket); this module only
delivers. Imports Flask-SocketIO's ``SocketIO`` type only; no SQL, no use cases.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import protocol

if TYPE_CHECKING:
    from flask_socketio import SocketIO

    from ..persistence.edits import CommittedEdit


def room_of(score_id: str) -> str:
    """The Socket.IO room of a score: every joined member's sockets."""
    return f"score:{score_id}"


def user_room(user_id: int) -> str:
    """The Socket.IO room of one person: all their sockets, in every process."""
    return f"user:{user_id}"


class Broadcaster:
    """Emits on one app's ``SocketIO`` (through its message queue when scaled out)."""

    def __init__(self, socketio: SocketIO) -> None:
        self.socketio = socketio

    def edit(self, score_id: str, wire: dict[str, Any]) -> None:
        """A committed edit (``CommittedEdit.to_wire()``) to everyone in the score."""
        self.socketio.emit(protocol.EDIT, wire, to=room_of(score_id))

    def committed(self, edit: CommittedEdit) -> None:
        """Exactly what a socket ``submit`` broadcasts, for edits made over HTTP (revert,
        restore, an accepted suggestion), so clients take them through their seq pipeline."""
        self.edit(edit.score_id, edit.to_wire())

    def presence(self, score_id: str, peers: list[dict[str, Any]]) -> None:
        """The full list of people in the score."""
        self.socketio.emit(
            protocol.PRESENCE, protocol.presence_message(score_id, peers), to=room_of(score_id)
        )

    def suggestions(self, score_id: str, action: str, **fields: Any) -> None:
        """A suggestion was requested, decided or reverted, or the helper switch moved."""
        payload = {"score": score_id, "action": action, **fields}
        self.socketio.emit(protocol.SUGGESTIONS, payload, to=room_of(score_id))

    def role_changed(self, sid: str, score_id: str, role: str) -> None:
        """One socket's role in a score changed (it stays in the room)."""
        self.socketio.emit(protocol.ROLE_CHANGED, {"score": score_id, "role": role}, to=sid)

    def comment(self, score_id: str, payload: dict[str, Any]) -> None:
        """A comment thread changed (``Change.to_wire()``), to everyone in the score."""
        self.socketio.emit(protocol.COMMENT, payload, to=room_of(score_id))

    def notify(self, user_id: int, notification: dict[str, Any]) -> None:
        """A notification to one person's sockets (if any is connected)."""
        self.socketio.emit(protocol.NOTIFICATION, notification, to=user_room(user_id))

    def revoke(self, sid: str, score_id: str, reason: str) -> None:
        """Take one socket out of the score's room and tell it why."""
        self.socketio.server.leave_room(sid, room_of(score_id), namespace="/")
        self.socketio.emit(protocol.REVOKED, {"score": score_id, "reason": reason}, to=sid)
