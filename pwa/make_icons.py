"""Draws the app's PNG icons (a white clock on the brand blue) with the standard library only.

Run `python -m pwa.make_icons` after changing the design; the PNGs are committed
so neither `make run` nor the tests need to draw them.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent / "static" / "pwa" / "icons"
BRAND = (0x1F, 0x4E, 0x79)
WHITE = (0xFF, 0xFF, 0xFF)


def _png(width: int, height: int, rows: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _rounded_square_distance(px: float, py: float, radius: float) -> float:
    """Signed distance to a square filling 0..1 with rounded corners (negative inside)."""
    qx = abs(px - 0.5) - (0.5 - radius)
    qy = abs(py - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def draw(size: int, *, maskable: bool) -> bytes:
    # Maskable icons may be cropped to a circle of 80 % of the size: keep the clock inside it.
    clock = 0.25 if maskable else 0.31
    ring = clock * 0.2
    rows = []
    for y in range(size):
        row = bytearray()
        for x in range(size):
            px, py = (x + 0.5) / size, (y + 0.5) / size
            background = 1.0 if maskable else max(0.0, min(1.0, 0.5 - _rounded_square_distance(px, py, 0.2) * size))
            r = math.hypot(px - 0.5, py - 0.5)
            ring_distance = abs(r - (clock - ring / 2)) - ring / 2
            hour = _segment_distance(px, py, 0.5, 0.5, 0.5, 0.5 - clock * 0.55) - ring * 0.45
            minute = _segment_distance(px, py, 0.5, 0.5, 0.5 + clock * 0.42, 0.5 + clock * 0.18) - ring * 0.45
            shape = min(ring_distance, hour, minute)
            white = max(0.0, min(1.0, 0.5 - shape * size))
            colour = [round(b * (1 - white) + w * white) for b, w in zip(BRAND, WHITE, strict=True)]
            row += bytes([*colour, round(255 * max(background, white if not maskable else 1.0))])
        rows.append(bytes(row))
    return _png(size, size, rows)


def main() -> None:
    ICON_DIR.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in [
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
    ]:
        (ICON_DIR / name).write_bytes(draw(size, maskable=maskable))
        print(f"wrote {ICON_DIR / name}")


if __name__ == "__main__":
    main()
