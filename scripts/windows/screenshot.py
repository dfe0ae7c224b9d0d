"""Save a PNG of an X display once a window has painted on it: `python3 screenshot.py :N OUT.png
[--wait SECONDS] [--min-colours N]`. Uses `xwd -root` (x11-apps) and converts XWD to PNG in pure Python.
Exits 1 when nothing painted within the wait (the last grab is saved anyway)."""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path


def grab(display: str) -> tuple[int, int, bytes]:
    raw = subprocess.run(["xwd", "-root", "-silent", "-display", display], capture_output=True, check=True).stdout
    fields = struct.unpack(">25I", raw[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, bytes_per_line = fields[7], fields[11], fields[12]
    masks = fields[14:17]
    ncolours = fields[19]
    if bpp not in (24, 32):
        raise SystemExit(f"unsupported XWD pixel size {bpp}")
    step = bpp // 8
    offset = header_size + 12 * ncolours
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    order = "little" if byte_order == 0 else "big"
    rgb = bytearray()
    for y in range(height):
        row = raw[offset + y * bytes_per_line : offset + y * bytes_per_line + step * width]
        for x in range(0, step * width, step):
            pixel = int.from_bytes(row[x : x + step], order)
            rgb += bytes(
                ((pixel & masks[0]) >> shifts[0], (pixel & masks[1]) >> shifts[1], (pixel & masks[2]) >> shifts[2])
            )
    return width, height, bytes(rgb)


def colours(rgb: bytes) -> int:
    return len({rgb[i : i + 3] for i in range(0, len(rgb), 3 * 97)})  # sampled


def png(width: int, height: int, rgb: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    stride = 3 * width
    rows = b"".join(b"\0" + rgb[y * stride : (y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b"")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("display")
    parser.add_argument("out", type=Path)
    parser.add_argument("--wait", type=float, default=60)
    parser.add_argument("--min-colours", type=int, default=40)
    parser.add_argument("--settle", type=float, default=5)
    args = parser.parse_args()
    start = time.monotonic()
    shot = grab(args.display)
    while colours(shot[2]) < args.min_colours and time.monotonic() - start < args.wait:
        time.sleep(2)
        shot = grab(args.display)
    painted = colours(shot[2]) >= args.min_colours
    if painted:
        time.sleep(args.settle)  # let the first paint finish (fonts, layout passes)
        shot = grab(args.display)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(png(*shot))
    took = time.monotonic() - start
    state = f"painted after {took:.0f} s" if painted else f"NOTHING PAINTED within {args.wait:.0f} s"
    print(f"screenshot: {args.out} ({shot[0]}x{shot[1]}, {state})")
    return 0 if painted else 1


if __name__ == "__main__":
    sys.exit(main())
