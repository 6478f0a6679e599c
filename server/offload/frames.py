"""The pipe protocol between the server and its job processes: one message is a JSON
header and a byte blob (an upload, an exported file), each length-prefixed.

Bytes travel as they are, never base64 in JSON, so a 10 MB export costs a copy, not an
encoding pass on the server's loop. Stdlib only.
"""

from __future__ import annotations

import json
import struct
from typing import IO, Any

_PREFIX = struct.Struct(">IQ")  # header length, blob length


def write_message(stream: IO[bytes], header: dict[str, Any], blob: bytes = b"") -> None:
    encoded = json.dumps(header, allow_nan=False).encode("utf-8")
    stream.write(_PREFIX.pack(len(encoded), len(blob)) + encoded)
    if blob:
        stream.write(blob)
    stream.flush()


def read_message(stream: IO[bytes]) -> tuple[dict[str, Any], bytes] | None:
    """The next message, or None when the other end closed (or died) before sending one."""
    prefix = _read_exactly(stream, _PREFIX.size)
    if prefix is None:
        return None
    header_len, blob_len = _PREFIX.unpack(prefix)
    header = _read_exactly(stream, header_len)
    blob = _read_exactly(stream, blob_len) if blob_len else b""
    if header is None or blob is None:
        return None
    value = json.loads(header)
    return (value if isinstance(value, dict) else {}), blob


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = stream.read(left)
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
