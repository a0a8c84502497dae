"""Icons drawn from the app's own SVG set, tinted for the current light or dark scheme.

One stroke style for every icon keeps toolbars consistent; rendering each size at the screen's
pixel ratio keeps them sharp on high-DPI displays.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from imr_desk.resources import icon_svg

SIZES: Final = (16, 20, 24, 32, 48)
_cache: dict[tuple[str, str], QIcon] = {}


def icon_colour() -> QColor:
    """The foreground colour of the current palette (icons follow the text colour)."""
    app = QGuiApplication.instance()
    if app is None:
        return QColor(60, 60, 60)
    return QGuiApplication.palette().windowText().color()


def icon(name: str, colour: QColor | None = None) -> QIcon:
    """A named icon in the given (default: text) colour, cached per colour."""
    tint = (colour or icon_colour()).name()
    key = (name, tint)
    if key not in _cache:
        _cache[key] = _build(name, tint)
    return _cache[key]


def clear_cache() -> None:
    """Forget tinted icons (after the colour scheme changes)."""
    _cache.clear()


def _build(name: str, tint: str) -> QIcon:
    renderer = QSvgRenderer(QByteArray(icon_svg(name).replace("currentColor", tint).encode()))
    app = QGuiApplication.instance()
    ratio = max(app.devicePixelRatio(), 1.0) if isinstance(app, QGuiApplication) else 1.0
    result = QIcon()
    for size in SIZES:
        pixels = round(size * ratio)
        image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, pixels, pixels))
        painter.end()
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(ratio)
        result.addPixmap(pixmap)
    return result
