"""Draw the panel's icon (resources/icons/app.svg: a blue rounded square, a white shield, a tick) as a
Windows .ico with 16-256 px images. Pure Python (zlib + struct), so any build machine can run it:
`python packaging/make_icon.py OUT.ico`; licence_panel.spec calls write_ico() at build time."""

from __future__ import annotations

import hashlib
import itertools
import struct
import sys
import zlib
from pathlib import Path

SIZES = (16, 20, 24, 32, 40, 48, 64, 256)
BLUE = (0x25, 0x63, 0xEB)
WHITE = (0xFF, 0xFF, 0xFF)


def _cubic(p0, p1, p2, p3, steps=16):
    out = []
    for i in range(1, steps + 1):
        t = i / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out


# The shield of app.svg (viewBox 0 0 64 64): M32 14 l14 5 v11 c0 9 -6 16 -14 19 c-8 -3 -14 -10 -14 -19 V19 z
SHIELD = [(32, 14), (46, 19), (46, 30)]
SHIELD += _cubic((46, 30), (46, 39), (40, 46), (32, 49))
SHIELD += _cubic((32, 49), (24, 46), (18, 39), (18, 30))
SHIELD += [(18, 19)]
TICK = [(25, 32), (30, 37), (39, 27)]  # stroke width 4, round caps and joins


def _in_rounded_rect(x: float, y: float) -> bool:
    # rect x=4 y=4 w=56 h=56 rx=12
    if not (4 <= x <= 60 and 4 <= y <= 60):
        return False
    cx = min(max(x, 16), 48)
    cy = min(max(y, 16), 48)
    return (x - cx) ** 2 + (y - cy) ** 2 <= 144


def _in_polygon(x: float, y: float, poly) -> bool:
    inside = False
    j = len(poly) - 1
    for i in range(len(poly)):
        xi, yi = poly[i]
        xj, yj = poly[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _near_tick(x: float, y: float) -> bool:
    for (ax, ay), (bx, by) in itertools.pairwise(TICK):
        dx, dy = bx - ax, by - ay
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
        if (x - ax - t * dx) ** 2 + (y - ay - t * dy) ** 2 <= 4.0:
            return True
    return False


def _sample(x: float, y: float):
    """Colour and alpha of the artwork at a point of the 64x64 viewBox."""
    if not _in_rounded_rect(x, y):
        return None
    if _in_polygon(x, y, SHIELD) and not _near_tick(x, y):
        return WHITE
    return BLUE


def render(size: int) -> bytes:
    """RGBA rows, top to bottom, supersampled (4x4 below 128 px, 2x2 above)."""
    n = 4 if size < 128 else 2
    scale = 64 / size
    rows = bytearray()
    for py in range(size):
        rows.append(0)  # PNG filter type: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(n):
                for sx in range(n):
                    colour = _sample((px + (sx + 0.5) / n) * scale, (py + (sy + 0.5) / n) * scale)
                    if colour is not None:
                        r += colour[0]
                        g += colour[1]
                        b += colour[2]
                        a += 1
            if a:
                rows += bytes((r // a, g // a, b // a, 255 * a // (n * n)))
            else:
                rows += b"\0\0\0\0"
    return bytes(rows)


def _png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(render(size), 9))
        + chunk(b"IEND", b"")
    )


def ico_bytes(sizes=SIZES) -> bytes:
    images = [_png(s) for s in sizes]
    out = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    for size, data in zip(sizes, images, strict=True):
        dim = 0 if size >= 256 else size
        out += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


def write_ico(folder: Path) -> Path:
    """Write the icon into folder once per version of this drawing (its name carries a hash of this file)."""
    stamp = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:10]
    path = Path(folder) / f"licence_panel-{stamp}.ico"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(ico_bytes())
    return path


if __name__ == "__main__":
    print(write_ico(Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
