"""Roles and what each may do: the only ranking of roles and the only role check
(``require``), shared by the HTTP API, the sockets and the use cases. Pure: imports only
``server.errors``.
"""

from __future__ import annotations

from ..errors import TuttiError

#: Lowest to highest; each role may do everything the ones before it may. Spaced ranks
#: leave room for a role between two (a ``commenter`` would be 15: above viewer, below
#: editor) without renumbering.
RANK: dict[str, int] = {"viewer": 10, "commenter": 15, "editor": 20, "owner": 30}
ROLES = tuple(sorted(RANK, key=RANK.__getitem__))

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


class AuthError(TuttiError):
    """Refused: ``code`` is ``not_authenticated`` or ``forbidden``."""


def at_least(role: str | None, needed: str) -> bool:
    """True when ``role`` grants everything ``needed`` does (``None`` = not a member)."""
    return role is not None and RANK.get(role, -1) >= RANK[needed]


def require(role: str | None, needed: str, action: str = "do that") -> str:
    """``role`` when it grants ``needed``; else ``AuthError("forbidden")`` saying why.

    ``role`` is the caller's role in the score (``None``: not a member); ``action`` ends
    the message ("edit this score").
    """
    if not at_least(role, needed):
        if role is None:
            raise AuthError("forbidden", f"you are not a member of this score, so cannot {action}")
        article = "an" if role[:1] in "aeiou" else "a"
        raise AuthError("forbidden", f"{article} {role} cannot {action}; it needs {needed}")
    assert role is not None
    return role


def colour_for(user_id: int) -> str:
    return PALETTE[user_id % len(PALETTE)]
