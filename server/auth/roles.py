"""Roles and what each may do, shared by the HTTP API and the socket handlers. Pure."""

from __future__ import annotations

ROLES = ("viewer", "editor", "owner")
_RANK = {role: rank for rank, role in enumerate(ROLES)}

#: A stable, readable palette for people without a chosen colour.
PALETTE = (
    "#e6194b",
    "#3cb44b",
    "#4363d8",
    "#f58231",
    "#911eb4",
    "#42d4f4",
    "#f032e6",
    "#9a6324",
    "#469990",
    "#800000",
)


class AuthError(Exception):
    """Refused: ``code`` is ``not_authenticated`` or ``forbidden``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def at_least(role: str | None, needed: str) -> bool:
    """True when ``role`` grants everything ``needed`` does (``None`` = not a member)."""
    return role is not None and _RANK.get(role, -1) >= _RANK[needed]


def require(role: str | None, needed: str, what: str = "do that") -> None:
    if not at_least(role, needed):
        if role is None:
            raise AuthError("forbidden", f"you are not a member of this score, so cannot {what}")
        raise AuthError("forbidden", f"a {role} cannot {what}; it needs {needed}")


def colour_for(user_id: int) -> str:
    return PALETTE[user_id % len(PALETTE)]
