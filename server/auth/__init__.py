"""Users, sessions, API tokens and role checks shared by the HTTP API and the sockets.

The package exports the pure parts (passwords, tokens, roles), so use cases may import
``server.auth.roles.require`` without pulling in Flask; the Flask session helpers
(``request_identity()``, ``@login_required``, ``json_error``) are imported from
``server.auth.sessions`` by the web and sync layers. Never imports SQL or Socket.IO.
"""

from __future__ import annotations

from .passwords import check_password, hash_password, password_problem
from .roles import RANK, ROLES, AuthError, at_least, colour_for, require
from .tokens import SESSION_LIFETIME, TOKEN_LIFETIME, well_formed

__all__ = [
    "RANK",
    "ROLES",
    "SESSION_LIFETIME",
    "TOKEN_LIFETIME",
    "AuthError",
    "at_least",
    "check_password",
    "colour_for",
    "hash_password",
    "password_problem",
    "require",
    "well_formed",
]
