"""Translation of messages made below the UI (service errors, command-line output).

The Qt interface translates its own strings with ``tr``; services and the command line
have no Qt, so their messages go through :func:`tr` here, backed by a plain catalog.
English text is the key; Simplified Chinese is the shipped translation.
"""

from __future__ import annotations

import locale
import os
from typing import Any

from app.i18n_zh import CATALOG_ZH

_language: str | None = None


def _system_language() -> str:
    for var in ("STATIONCRM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = locale.getlocale()[0] or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def set_language(language: str | None) -> None:
    """Choose ``"zh"`` or ``"en"``; ``None`` follows the system locale."""
    global _language  # noqa: PLW0603 - one process-wide choice, like Qt's installed translator
    _language = None if language is None else ("zh" if language.lower().startswith("zh") else "en")


def current_language() -> str:
    return _language or _system_language()


def tr(text: str, /, **values: Any) -> str:
    """Translate ``text`` into the current language and fill its ``{placeholders}``."""
    if current_language() == "zh":
        text = CATALOG_ZH.get(text, text)
    return text.format(**values) if values else text
