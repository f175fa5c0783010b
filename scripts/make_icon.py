"""Draw the component's icon, component_config/icon.png: 256x256, transparent corners, drawn here from shapes (no
third-party artwork; nothing of Customer.io's own logo). A message envelope over three table rows: messages and
people of a workspace becoming tables. Pure Python (zlib and struct), deterministic: the same bytes every run, so
a test can hold the committed file to this script.

    .venv/bin/python scripts/make_icon.py            # writes component_config/icon.png
    .venv/bin/python scripts/make_icon.py --check    # exit 1 if the committed file differs
"""
import math
import os
import struct
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ICON_PATH = os.path.join(ROOT, "component_config", "icon.png")
SIZE = 256
SAMPLES = 4                           # per axis, only for pixels near an edge
TOP, BOTTOM = (30, 64, 175), (8, 145, 178)     # the tile's vertical gradient: deep blue to cyan
WHITE = (255, 255, 255)


def rounded_box(x, y, left, top, right, bottom, radius):
    """Signed distance to a rounded rectangle (negative inside)."""
    cx, cy = (left + right) / 2, (top + bottom) / 2
    hx, hy = (right - left) / 2 - radius, (bottom - top) / 2 - radius
    qx, qy = abs(x - cx) - hx, abs(y - cy) - hy
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def segment(x, y, ax, ay, bx, by, width):
    """Signed distance to a stroke of `width` from (ax, ay) to (bx, by) with round ends."""
    px, py, dx, dy = x - ax, y - ay, bx - ax, by - ay
    t = max(0.0, min(1.0, (px * dx + py * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - dx * t, py - dy * t) - width / 2


def tile(x, y):
    return rounded_box(x, y, 12, 12, 244, 244, 48)


def envelope(x, y):
    return rounded_box(x, y, 52, 44, 204, 140, 14)


def flap(x, y):
    return min(segment(x, y, 62, 54, 128, 102, 9), segment(x, y, 128, 102, 194, 54, 9))


ROWS = ((52, 204), (52, 176), (52, 148))        # table rows: left and right ends, widths falling like data


def rows(x, y):
    return min(rounded_box(x, y, left, 158 + 22 * i, right, 172 + 22 * i, 7) for i, (left, right) in enumerate(ROWS))


def gradient(y):
    t = min(max((y - 12) / 232, 0.0), 1.0)
    return tuple(top + (bottom - top) * t for top, bottom in zip(TOP, BOTTOM))


#: Layers bottom to top: (distance function, colour at (x, y), opacity).
LAYERS = ((tile, lambda x, y: gradient(y), 1.0),
          (envelope, lambda x, y: WHITE, 1.0),
          (flap, lambda x, y: gradient(y), 1.0),
          (rows, lambda x, y: WHITE, 0.92))


def coverage(shape, px, py):
    """How much of pixel (px, py) the shape covers: exact far from an edge, supersampled near one."""
    distance = shape(px + 0.5, py + 0.5)
    if distance <= -1:
        return 1.0
    if distance >= 1:
        return 0.0
    step = 1 / SAMPLES
    inside = sum(shape(px + (i + 0.5) * step, py + (j + 0.5) * step) <= 0
                 for i in range(SAMPLES) for j in range(SAMPLES))
    return inside / (SAMPLES * SAMPLES)


def pixel(px, py):
    """Straight (not premultiplied) RGBA of one pixel, layers composited over transparency."""
    red = green = blue = alpha = 0.0
    for shape, colour, opacity in LAYERS:
        cover = coverage(shape, px, py) * opacity
        if cover == 0:
            continue
        r, g, b = colour(px + 0.5, py + 0.5)
        out = cover + alpha * (1 - cover)
        red = (r * cover + red * alpha * (1 - cover)) / out
        green = (g * cover + green * alpha * (1 - cover)) / out
        blue = (b * cover + blue * alpha * (1 - cover)) / out
        alpha = out
    return bytes(round(v) for v in (red, green, blue, alpha * 255))


def png(width: int, height: int, rows_of_pixels) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + row for row in rows_of_pixels)            # filter type 0 on every scanline
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)     # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + \
        chunk(b"IEND", b"")


def draw() -> bytes:
    return png(SIZE, SIZE, (b"".join(pixel(px, py) for px in range(SIZE)) for py in range(SIZE)))


def main(argv) -> int:
    image = draw()
    if "--check" in argv:
        with open(ICON_PATH, "rb") as handle:
            same = handle.read() == image
        print("icon.png is up to date" if same else "icon.png differs from scripts/make_icon.py: run it")
        return 0 if same else 1
    with open(ICON_PATH, "wb") as handle:
        handle.write(image)
    print(f"wrote {os.path.relpath(ICON_PATH, ROOT)} ({len(image):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
