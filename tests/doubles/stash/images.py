"""Image bytes the double serves: tiny real PNGs and Stash's placeholder SVG."""

from __future__ import annotations

import hashlib
import struct
import zlib

# Stash answers 200 with a placeholder SVG for objects without a picture, so callers must
# look at the content type rather than the status to notice there is no real image.
DEFAULT_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
    b'<rect width="64" height="64" fill="#888"/>'
    b'<circle cx="32" cy="24" r="12" fill="#ccc"/></svg>'
)
SVG_TYPE = "image/svg+xml"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SIDE = 4


def tiny_png(seed: object) -> bytes:
    """A valid 4x4 PNG whose colours, and so bytes, depend on `seed`."""
    digest = hashlib.sha256(repr(seed).encode()).digest()
    pixel = digest[:3]
    rows = b"".join(b"\x00" + pixel * _SIDE for _ in range(_SIDE))
    header = struct.pack(">IIBBBBB", _SIDE, _SIDE, 8, 2, 0, 0, 0)
    text = b"seed\x00" + digest.hex().encode()
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"tEXt", text)
        + _chunk(b"IDAT", zlib.compress(rows))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def content_type(data: bytes) -> str:
    """Sniffs the picture format the way a server picking Content-Type must."""
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
