"""HTML pages: sign-up/log-in, the score library and the editor. Pure rendering, no SQL."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("pages", __name__)


@bp.get("/")
def library() -> ResponseReturnValue:
    return render_template("library.html")


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("login.html")


@bp.get("/scores/<score_id>")
def editor(score_id: str) -> ResponseReturnValue:
    return render_template("editor.html", score_id=score_id)
