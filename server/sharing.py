"""The sharing use case: who belongs to a score with which role, share links, requests
for access. Owners manage members and links; any member may see who else is in and may
leave; a score always keeps an owner (``LastOwner``, checked in the change's transaction).

``actor=None`` is an administrator (the ``tutti`` CLI): no role check. Every change of
who may open a score bumps its access version, which open sockets poll (sync/handlers).
No Flask, Socket.IO or SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .auth.roles import RANK, require
from .errors import TuttiError
from .persistence import LINK_ROLES
from .persistence import ROLES as STORED_ROLES
from .persistence.rows import utcnow

if TYPE_CHECKING:
    from .persistence import AccessRequests, Members, Repositories, ShareLinks, Trash, Users

#: Longest a share link may live: a year.
MAX_LINK_DAYS = 366


class SharingError(TuttiError):
    """Refused: ``bad_request``, ``not_found``, ``link_expired``, ``link_revoked``..."""


@dataclass
class SharingService:
    users: Users
    members: Members
    links: ShareLinks
    requests: AccessRequests
    trash: Trash

    @classmethod
    def over(cls, repos: Repositories) -> SharingService:
        return cls(repos.users, repos.members, repos.links, repos.requests, repos.trash)

    # --- checks -------------------------------------------------------------------------

    def role(self, score_id: str, user_id: int) -> str | None:
        return self.members.role_of(score_id, user_id)

    def _need(self, score_id: str, actor: int | None, needed: str, action: str) -> str | None:
        if actor is None:
            return None
        return require(self.role(score_id, actor), needed, action)

    def _user(self, name: Any) -> dict[str, Any]:
        record = self.users.user_by_name(name) if isinstance(name, str) else None
        if record is None:
            raise SharingError("not_found", f"no user named {name!r}")
        return record

    @staticmethod
    def _role_name(role: Any, allowed: tuple[str, ...] = STORED_ROLES) -> str:
        if role not in allowed:
            raise SharingError("bad_request", f"role must be one of {', '.join(allowed)}")
        return str(role)

    # --- members ------------------------------------------------------------------------

    def list_members(self, score_id: str, actor: int | None) -> dict[str, Any]:
        """Members (any member may see them); for owners also live links and requests."""
        role = self._need(score_id, actor, "viewer", "see who is in this score")
        rows = self.members.members(score_id)
        if not rows:  # every score has an owner: none means no such score
            raise SharingError("not_found", "no such score")
        view: dict[str, Any] = {"role": role, "members": [_member(m) for m in rows]}
        if actor is None or role == "owner":
            view["links"] = [_link(x) for x in self.links.of_score(score_id)]
            view["requests"] = [_request(r) for r in self.requests.pending(score_id)]
        return view

    def share(self, score_id: str, actor: int | None, name: Any, role: Any) -> dict[str, Any]:
        """Invite ``name`` with ``role``, or change the role of a member (owners only)."""
        role = self._role_name(role)
        self._need(score_id, actor, "owner", "share this score")
        user = self._user(name)
        self.members.set_member(score_id, int(user["id"]), role)
        return {"name": user["name"], "id": user["id"], "role": role}

    def unshare(self, score_id: str, actor: int | None, name: Any) -> dict[str, Any]:
        """Remove a member: owners remove anyone, a member may leave."""
        user = self._user(name)
        if actor is not None and actor != user["id"]:
            self._need(score_id, actor, "owner", "remove members")
        elif actor is not None:
            self._need(score_id, actor, "viewer", "leave this score")
        if self.role(score_id, int(user["id"])) is None:
            raise SharingError("not_found", f"{user['name']} is not a member of this score")
        self.members.set_member(score_id, int(user["id"]), None)
        return {"name": user["name"], "id": user["id"], "role": None}

    # --- share links -----------------------------------------------------------------------

    def create_link(
        self, score_id: str, actor: int, role: Any, expires_in_days: Any = None
    ) -> dict[str, Any]:
        """A new link (owners only); the token is in the answer and nowhere else."""
        role = self._role_name(role, LINK_ROLES)
        self._need(score_id, actor, "owner", "create share links")
        expires_at = None
        if expires_in_days is not None:
            if (
                not isinstance(expires_in_days, int | float)
                or isinstance(expires_in_days, bool)
                or not 0 < expires_in_days <= MAX_LINK_DAYS
            ):
                raise SharingError(
                    "bad_request", f"expires_in_days must be a number in (0, {MAX_LINK_DAYS}]"
                )
            expires_at = utcnow() + timedelta(days=float(expires_in_days))
        link_id, token = self.links.create(score_id, role, actor, expires_at)
        return {"id": link_id, "token": token, "role": role, "expires_at": _iso(expires_at)}

    def revoke_link(self, score_id: str, actor: int, link_id: int) -> None:
        self._need(score_id, actor, "owner", "revoke share links")
        if not self.links.revoke(score_id, link_id):
            raise SharingError("not_found", "no such share link")

    def redeem(self, token: str, user_id: int) -> dict[str, Any]:
        """Open a share link as ``user_id``: a member with the link's role (a higher role
        already held is kept). ``{score, role}``; refusals say why the link is dead."""
        link = self.links.by_token(token) if isinstance(token, str) and token else None
        if link is None or link["trashed"]:
            raise SharingError("not_found", "this share link does not exist")
        if link["revoked_at"] is not None:
            raise SharingError("link_revoked", "this share link was revoked by the owner")
        if link["expires_at"] is not None and link["expires_at"] <= utcnow():
            raise SharingError("link_expired", "this share link has expired")
        score_id = str(link["score_id"])
        held = self.role(score_id, user_id)
        role = str(link["role"])
        if held is not None and RANK[held] >= RANK[role]:
            return {"score": score_id, "role": held}
        self.links.join(score_id, user_id, role, int(link["id"]))
        return {"score": score_id, "role": role}

    # --- requests for access -----------------------------------------------------------------

    def access(self, score_id: str, user_id: int) -> dict[str, Any]:
        """What a person may do about a score: their role, or their request's status."""
        role = self.role(score_id, user_id)
        if role is None and (self.trash.is_trashed(score_id) or not self.members.members(score_id)):
            raise SharingError("not_found", "no such score")  # deleted, or never existed
        return {
            "role": role,
            "request": None if role else self.requests.status(score_id, user_id),
        }

    def request_access(self, score_id: str, user_id: int) -> dict[str, Any]:
        if self.trash.is_trashed(score_id):
            raise SharingError("not_found", "no such score")
        role = self.role(score_id, user_id)
        if role is not None:
            return {"role": role, "request": None}
        return {"role": None, "request": self.requests.ask(score_id, user_id)}

    def decide(self, score_id: str, actor: int, name: Any, role: Any) -> dict[str, Any]:
        """Approve a pending request with ``role``, or deny it (``role`` None)."""
        if role is not None:
            role = self._role_name(role)
        self._need(score_id, actor, "owner", "answer requests for access")
        user = self._user(name)
        if not self.requests.decide(score_id, int(user["id"]), role):
            raise SharingError("not_found", f"no pending request from {user['name']}")
        return {"name": user["name"], "id": user["id"], "role": role}


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _member(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "display_name": row["display_name"],
        "colour": row["colour"],
        "role": row["role"],
        "via_link": row["link_id"] is not None,
    }


def _link(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "role": row["role"],
        "created_at": _iso(row["created_at"]),
        "expires_at": _iso(row["expires_at"]),
        "expired": row["expires_at"] is not None and row["expires_at"] <= utcnow(),
        "created_by": row["created_by"],
        "members": row["members"],
    }


def _request(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "display_name": row["display_name"],
        "at": _iso(row["created_at"]),
    }


__all__ = ["MAX_LINK_DAYS", "SharingError", "SharingService"]
