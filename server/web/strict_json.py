"""Request bodies are plain JSON or refused: no NaN/Infinity, valid Unicode, bounded nesting.

Python's json module reads ``NaN`` and lone surrogate escapes (``"\\ud800"``) that the
database, the score model and the browser then choke on. Every JSON body is parsed once,
strictly, before any view runs, and a bad one gets a ``bad_request`` saying why; views read
the cached result through ``request.get_json`` as before. Imports no SQL or Socket.IO.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from ..score.limits import json_problem

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class NotPlainJSON(ValueError):
    """A body that parses as Python's json but is not JSON we accept."""


def _refuse_constant(name: str) -> Any:
    raise NotPlainJSON(f"{name} is not a JSON number")


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON with strict reading; writing is unchanged."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        kwargs.setdefault("parse_constant", _refuse_constant)
        value = json.loads(s, **kwargs)
        problem = json_problem(value)
        if problem is not None:
            raise NotPlainJSON(problem)
        return value


def _check_body() -> ResponseReturnValue | None:
    if request.method not in STATE_CHANGING or not request.is_json:
        return None
    if not request.get_data(cache=True):
        return None  # an empty body: each view says what it needs
    try:
        request.get_json()  # parsed once here, cached for the view
    except BadRequest as exc:
        from ..auth.sessions import json_error

        return json_error("bad_request", f"the request body is not valid JSON: {_why(exc)}")
    return None


def _why(exc: BaseException) -> str:
    """The parser's own message, found under the BadRequest Flask and Werkzeug wrap it in."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ValueError):
        cause = cause.__cause__ or cause.__context__
    return str(cause) if cause is not None else "it does not parse"


def init_app(app: Flask) -> None:
    app.json = StrictJSONProvider(app)
    app.before_request(_check_body)
