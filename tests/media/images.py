"""Images made for the tests with Pillow, and hostile files made by hand."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def photo(width: int = 2000, height: int = 1000, *, kind: str = "JPEG", gps: bool = False,
          orientation: int | None = None) -> bytes:  # fmt: skip
    """A gradient (so encoders have something to encode), optionally with EXIF."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    options: dict[str, object] = {}
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "Camera maker"
        exif.get_ifd(GPS_IFD).update({1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)})
    if orientation:
        exif[ORIENTATION] = orientation
    if gps or orientation:
        options["exif"] = exif.tobytes()
    if kind == "GIF":
        image = image.convert("P")
    out = io.BytesIO()
    image.save(out, format=kind, **options)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A PNG header declaring width × height pixels, a few bytes long."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


def jpeg_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A small JPEG whose frame header is made to declare width × height pixels."""
    data = bytearray(photo(16, 16))
    at = data.index(b"\xff\xc0")  # SOF0: length(2) precision(1) height(2) width(2)
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)
