"""Per-score authority glue between the socket handlers and the ``EditLog``.

Decides what a joining client receives (edits after ``since`` or a snapshot),
submits edits (persist + commit happen inside the service, before any network
I/O) and serves gap fetches. Knows nothing of Socket.IO or SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import protocol

if TYPE_CHECKING:
    from ..editing import CommittedEdit, EditLog
    from ..persistence import AccessVersions, Members, Trash

#: Test-only fault injection (``TUTTI_FAULT_INJECTION``). ``no_dedup`` hides the client
#: id from the service, so a resubmitted edit is stored twice: the convergence fuzz
#: must notice. Never set it in production.
FAULTS = ("no_dedup",)


def parse_faults(raw: str | None) -> frozenset[str]:
    faults = frozenset(x.strip() for x in (raw or "").split(",") if x.strip())
    unknown = faults - set(FAULTS)
    if unknown:
        raise ValueError(f"unknown TUTTI_FAULT_INJECTION values {sorted(unknown)}")
    return faults


@dataclass
class Authority:
    service: EditLog
    members: Members
    faults: frozenset[str] = frozenset()
    access: AccessVersions | None = None
    trash: Trash | None = None

    def role_of(self, score_id: str, user_id: int) -> str | None:
        """The user's role in the score, read fresh (``None``: not a member)."""
        return self.members.role_of(score_id, user_id)

    def access_versions(self, score_ids: list[str]) -> dict[str, int]:
        """``{score: access version}`` in one read (a purged score is missing)."""
        if self.access is None:
            return {}
        return self.access.of(score_ids)

    def next_expiry(self, score_id: str) -> float | None:
        """When the score's next share link expires (as ``time.time()``), if any."""
        if self.access is None:
            return None
        moment = self.access.next_expiry(score_id)
        return None if moment is None else moment.timestamp()

    def lost_access_reason(self, score_id: str) -> str:
        if self.trash is not None and self.trash.is_trashed(score_id):
            return "the score was deleted"
        return "your access to this score was removed"

    def catch_up(self, score_id: str, since: int | None) -> dict[str, Any]:
        """What a (re)joining client needs, read AFTER it joined the room.

        Edits after ``since`` when it is at most ``CATCH_UP_LIMIT`` behind; otherwise
        (or with no ``since``) the current document and its seq. Edits broadcast
        meanwhile may arrive twice: clients ignore seqs they already hold.
        """
        if since is not None:
            # The head first (one indexed row): a client far behind gets the snapshot
            # without the server reading (and discarding) a page of edits.
            head = self.head(score_id)
            if 0 <= head - since <= protocol.CATCH_UP_LIMIT:
                limit = protocol.CATCH_UP_LIMIT + 1  # the log may have moved on meanwhile
                edits = self.service.edits_since(score_id, since, limit=limit)
                if len(edits) <= protocol.CATCH_UP_LIMIT:
                    head = edits[-1].seq if edits else head
                    return {"seq": since, "head": head, "edits": [e.to_wire() for e in edits]}
        doc, head = self.service.load(score_id)
        return {"snapshot": doc, "seq": head, "head": head, "edits": []}

    def head(self, score_id: str) -> int:
        return self.service.head_seq(score_id)

    def submit(
        self,
        author_id: int,
        request: protocol.SubmitRequest,
        check_role: Callable[[str | None], None] | None = None,
    ) -> CommittedEdit:
        """Persist one edit; raises the service's errors (InvalidOp, ScoreNotFound...).

        ``check_role`` runs inside the edit's write transaction (see ``EditLog.submit``).
        """
        if "no_dedup" in self.faults:
            return self.service.submit(request.score, author_id, request.ops, check_role=check_role)
        return self.service.submit(
            request.score,
            author_id,
            request.ops,
            client_id=request.client_id,
            client_seq=request.client_seq,
            after=request.after,
            check_role=check_role,
        )

    def wire(self, edit: CommittedEdit, request: protocol.SubmitRequest) -> dict[str, Any]:
        wire = edit.to_wire()
        if "no_dedup" in self.faults:
            # Keep clients recognising their own edits; only the dedup is broken.
            wire.update(client_id=request.client_id, client_seq=request.client_seq)
        return wire

    def fetch(self, request: protocol.FetchRequest) -> dict[str, Any]:
        """Edits with ``from <= seq <= to`` (at most ``FETCH_LIMIT``) and the current head."""
        edits = self.service.edits_since(
            request.score, request.first - 1, limit=protocol.FETCH_LIMIT
        )
        if request.last is not None:
            edits = [e for e in edits if e.seq <= request.last]
        head = self.head(request.score)
        return {"edits": [e.to_wire() for e in edits], "head": head}
