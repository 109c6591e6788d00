"""The shipped CJK font, registered at start so Chinese renders on a bare Linux machine too."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.paths import cjk_font_path

log = logging.getLogger(__name__)


def register_cjk_font(app: QApplication) -> list[str]:
    """Register resources/fonts/wqy-microhei.ttc and add it to the application font's fallbacks.

    Returns the font families added (empty if the font file could not be loaded).
    """
    path = cjk_font_path()
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.warning("Could not load the CJK font %s; Chinese may show as boxes", path)
        return []
    # The collection holds a proportional and a monospaced face; the interface wants the first.
    families = [f for f in QFontDatabase.applicationFontFamilies(font_id) if "Mono" not in f]
    font: QFont = app.font()
    current = list(font.families()) or [font.family()]
    font.setFamilies(current + [f for f in families if f not in current])
    app.setFont(font)
    return families
