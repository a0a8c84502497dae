"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0 under Python 3.11 released a reference to None on every call of a method that
returns nothing; a reviewer's session makes millions of such calls, so the app aborted with
"deallocating None" after a few minutes (found by the app benchmark). pyproject excludes it.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QLineEdit

pytestmark = pytest.mark.gui


def test_void_qt_calls_keep_none_reference_count(qtbot) -> None:
    scene = QGraphicsScene()
    item = QGraphicsRectItem(QRectF(0, 0, 1, 1))
    scene.addItem(item)
    line = QLineEdit()
    qtbot.addWidget(line)
    pen = QPen(QColor(1, 2, 3), 1)
    before = sys.getrefcount(None)
    for _ in range(500):
        item.setPen(pen)
        item.setZValue(1)
        line.setText("x")
    assert sys.getrefcount(None) - before > -50
