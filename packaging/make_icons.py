"""Render resources/imr-desk.svg into the app icons the packagers need (.png, .ico, .icns).

Run once after editing the SVG (the outputs are committed): ``python packaging/make_icons.py``.
Qt renders the SVG offscreen; .ico and .icns are written here as containers of PNG images, which
Windows (Vista and later) and macOS (10.7 and later) read.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path
from typing import Final

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES: Final = Path(__file__).resolve().parents[1] / "resources"
SOURCE: Final = RESOURCES / "imr-desk.svg"
PNG_SIZES: Final = (256, 512)
ICO_SIZES: Final = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, by pixel size (the @2x types reuse the larger renders).
ICNS_TYPES: Final = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    """The SVG drawn into a ``size``-pixel square, as PNG bytes."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico file holding one PNG per size (ICONDIR, ICONDIRENTRYs, then the images)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, images = b"", b""
    for size in sizes:
        data = pngs[size]
        side = size % 256  # 0 means 256
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset)
        images += data
        offset += len(data)
    return header + entries + images


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .icns file: the 'icns' header, then one (type, length, PNG) element per type."""
    elements = b"".join(
        kind + struct.pack(">I", 8 + len(pngs[size])) + pngs[size] for kind, size in ICNS_TYPES
    )
    return b"icns" + struct.pack(">I", 8 + len(elements)) + elements


def main() -> int:
    """Write imr-desk.png (256 px), imr-desk-512.png, imr-desk.ico and imr-desk.icns."""
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"make_icons: cannot read {SOURCE}", file=sys.stderr)
        return 1
    sizes = sorted({*PNG_SIZES, *ICO_SIZES, *(size for _, size in ICNS_TYPES)})
    pngs = {size: render_png(renderer, size) for size in sizes}
    outputs = {
        "imr-desk.png": pngs[256],
        "imr-desk-512.png": pngs[512],
        "imr-desk.ico": ico_bytes({size: pngs[size] for size in ICO_SIZES}),
        "imr-desk.icns": icns_bytes(pngs),
    }
    for name, data in outputs.items():
        (RESOURCES / name).write_bytes(data)
        print(f"{RESOURCES / name}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
