"""Users, sessions, API tokens and role checks shared by the HTTP API and the sockets.

Use ``request_identity()`` / ``@login_required`` (sets ``g.identity``) in views,
``require(role, "editor")`` for permissions. Never imports SQL or Socket.IO.
"""

from __future__ import annotations

from .passwords import check_password, hash_password, password_problem
from .roles import ROLES, AuthError, at_least, colour_for, require
from .sessions import (
    Identity,
    identity_from_record,
    json_error,
    load_identity,
    login_required,
    login_user,
    logout_user,
    request_identity,
    user_id_from_token,
)
from .tokens import issue_token, read_token

__all__ = [
    "ROLES",
    "AuthError",
    "Identity",
    "at_least",
    "check_password",
    "colour_for",
    "hash_password",
    "identity_from_record",
    "issue_token",
    "json_error",
    "load_identity",
    "login_required",
    "login_user",
    "logout_user",
    "password_problem",
    "read_token",
    "request_identity",
    "require",
    "user_id_from_token",
]
