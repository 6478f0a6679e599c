"""HTML pages: sign-up/log-in, the score library, classes and the editor. Pure rendering, no SQL."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from ..auth.redirects import safe_next

bp = Blueprint("pages", __name__)


@bp.get("/")
def library() -> ResponseReturnValue:
    return render_template("library.html")


@bp.get("/login")
def login() -> ResponseReturnValue:
    """``?next=`` is where to go after log-in: only a same-site path (no open redirect)."""
    return render_template("login.html", next=safe_next(request.args.get("next")))


@bp.get("/account")
def account() -> ResponseReturnValue:
    """Password change and API tokens (the data comes from the JSON API)."""
    return render_template("account.html")


@bp.get("/classes")
def classes() -> ResponseReturnValue:
    """Classes: a teacher's dashboard and a student's assignments (data from the JSON API)."""
    return render_template("classes.html")


@bp.get("/scores/<score_id>")
def editor(score_id: str) -> ResponseReturnValue:
    return render_template("editor.html", score_id=score_id)
