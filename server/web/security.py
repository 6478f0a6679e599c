"""HTTP-level defences applied to every request: the Origin check on state-changing
calls (CSRF), security headers (CSP and friends), the ``Secure`` session cookie and the
trusted-proxy view of the client. Wiring and checks only; the threat model and the
test of each defence are in docs/security.md.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from werkzeug.middleware.proxy_fix import ProxyFix

from ..auth.origins import origin_allowed, origin_of
from ..auth.sessions import bearer_token, json_error
from ..extensions import get_settings

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: No inline script or eval ('wasm-unsafe-eval' only lets Verovio compile its
#: WebAssembly); no plugins; nothing framed us. Styles may be inline: Verovio's SVG
#: carries a <style> and presence outlines are a generated style sheet; every
#: user-supplied string reaching CSS is escaped or validated first, and img/font/connect
#: sources are 'self' only, so even injected CSS could not fetch another host.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "worker-src 'self' blob:",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' blob: data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def init_security(app: Flask) -> None:
    settings = get_settings(app)
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.session_interface = SessionCookies()
    app.before_request(check_origin)
    app.after_request(add_headers)


def own_origin() -> str:
    return f"{request.scheme}://{request.host}".lower()


def check_origin() -> ResponseReturnValue | None:
    """Refuse a state-changing call a foreign page could have made with our cookie.

    Scripts sending ``Authorization: Bearer`` are exempt: no page can add that header to
    a cross-site request without a CORS preflight, which we never grant. Otherwise the
    ``Origin`` (or, lacking one, the ``Referer``) must be ours or a configured origin;
    a request with neither is refused when it carries our session cookie (browsers send
    ``Origin`` on every POST) and let through when it does not (a script signing up or
    asking for a token; a login CSRF always comes from a browser, which sends Origin).
    """
    if request.method not in STATE_CHANGING or bearer_token() is not None:
        return None
    claimed = request.headers.get("Origin")
    if claimed is None and request.referrer:
        claimed = origin_of(request.referrer) or "null"
    if claimed is None:
        cookie = request.cookies.get(_cookie_name())
        if cookie is None:
            return None
        return json_error("bad_origin", "this request does not say which page sent it")
    if not origin_allowed(claimed, own_origin(), get_settings().cors_origins):
        return json_error("bad_origin", "requests from other sites are refused")
    return None


def _cookie_name() -> str:
    from flask import current_app

    return str(current_app.config.get("SESSION_COOKIE_NAME", "session"))


def add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` per ``TUTTI_SECURE_COOKIES``: ``auto``
    sets it whenever this request arrived over HTTPS (behind a proxy, as
    ``X-Forwarded-Proto`` says when ``TUTTI_PROXY_HOPS`` trusts it)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        mode = get_settings(app).secure_cookies
        if mode == "auto":
            return bool(request.is_secure)
        return mode == "always"


__all__ = ["CSP", "HEADERS", "check_origin", "init_security", "own_origin"]
