"""Where to go after log-in: only a path on this site, never another host. Pure.

Browsers read ``/\\evil.example``, ``/%5Cevil.example`` (once decoded) and
``/<TAB>/evil.example`` (tabs and newlines are stripped from URLs) as
``//evil.example``: a protocol-relative URL to another host. So the target must be a
plain absolute path: one leading ``/``, no backslash, no control character, no
scheme or host once parsed, else the library (``/``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

DEFAULT = "/"
MAX_NEXT = 2000
#: Printable ASCII but the backslash; the first character after "/" is not "/".
SAFE_PATH = re.compile(r"^/(?![/\\])[\x21-\x5b\x5d-\x7e]*$")
#: Encoded backslashes and control characters, or an encoded second slash: harmless in
#: a path as the browser sees it, but refused so no later decoding step can turn them
#: into a host.
ENCODED_TRICK = re.compile(r"%(5c|[01][0-9a-f]|7f)|^/%2f", re.IGNORECASE)


def safe_next(raw: object) -> str:
    """``raw`` when it is a same-site relative path, else ``DEFAULT``."""
    if not isinstance(raw, str) or len(raw) > MAX_NEXT or not SAFE_PATH.match(raw):
        return DEFAULT
    if ENCODED_TRICK.search(raw):
        return DEFAULT
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return DEFAULT
    return raw
