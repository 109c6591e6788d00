"""Small icons drawn in code, so they look the same on every PC and need no image files."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap


@cache
def lock_icon() -> QIcon:
    """A grey padlock: marks a customer the user may see only by name and owner."""
    icon = QIcon()
    for size in (16, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        grey = QColor(120, 120, 120)
        unit = size / 16
        pen = QPen(grey, 1.6 * unit)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(4.5 * unit, 1.5 * unit, 7 * unit, 9 * unit), 0, 180 * 16)
        painter.drawLine(int(4.5 * unit), int(6 * unit), int(4.5 * unit), int(8 * unit))
        painter.drawLine(int(11.5 * unit), int(6 * unit), int(11.5 * unit), int(8 * unit))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(grey)
        painter.drawRoundedRect(QRectF(3 * unit, 7.5 * unit, 10 * unit, 7.5 * unit),
                                1.5 * unit, 1.5 * unit)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
