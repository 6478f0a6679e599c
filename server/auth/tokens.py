"""API tokens: a user id signed with the app's secret key (itsdangerous), with an age limit.

Used by headless clients and scripts (``auth={"token": ...}`` on the socket, or
``Authorization: Bearer``). Stateless: rotating the secret key revokes every token.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_SALT = "tutti-api-token"
TOKEN_MAX_AGE_S = 30 * 24 * 3600


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=TOKEN_SALT)


def issue_token(secret_key: str, user_id: int) -> str:
    return _serializer(secret_key).dumps({"uid": int(user_id)})


def read_token(secret_key: str, token: object, max_age: int = TOKEN_MAX_AGE_S) -> int | None:
    """The user id a token was issued for, or None if it is forged, expired or malformed."""
    if not isinstance(token, str) or not 0 < len(token) <= 512:
        return None
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age)
    except BadSignature:  # includes SignatureExpired
        return None
    uid = data.get("uid") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) and not isinstance(uid, bool) else None
