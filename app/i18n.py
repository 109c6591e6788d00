"""Translation of text made below the UI (labels, service errors, command-line output).

One scheme for the whole program: English text is the key, ``app.i18n_zh`` holds the
Simplified Chinese, and :func:`set_language` chooses. The Qt interface sets it to the
station's language when it installs its own translator, so both always agree. Labels of
codes (statuses, kinds, actions) come from :mod:`app.labels` and are looked up within their
family, because one English word can need two Chinese ones ("Lost": 流失 for a customer,
已丢单 for an opportunity).
"""

from __future__ import annotations

import locale
import os
from typing import Any

from app.i18n_zh import CATALOG_ZH, LABELS_ZH

_language: str | None = None


def _system_language() -> str:
    for var in ("STATIONCRM_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    loc = locale.getlocale()[0] or ""
    return "zh" if loc.lower().startswith("zh") else "en"


def normalise(language: str | None) -> str:
    """``"zh"`` for any Chinese name (zh, zh_CN, zh-CN.UTF-8), otherwise ``"en"``."""
    return "zh" if (language or "").strip().lower().startswith("zh") else "en"


def set_language(language: str | None) -> None:
    """Choose ``"zh"`` or ``"en"``; ``None`` follows the system locale."""
    global _language  # noqa: PLW0603 - one process-wide choice, like Qt's installed translator
    _language = None if language is None else normalise(language)


def current_language() -> str:
    return _language or _system_language()


def translate(text: str, *, context: str | None = None, language: str | None = None) -> str:
    """``text`` in ``language`` (default: the current one), placeholders left as they are.

    With a ``context`` (a label family of :mod:`app.labels`) only that family's table is
    read, so a word never borrows the Chinese another family gives it.
    """
    chosen = normalise(language) if language else current_language()
    if chosen != "zh":
        return text
    if context is not None:
        return LABELS_ZH.get(context, {}).get(text, text)
    return CATALOG_ZH.get(text, text)


def tr(text: str, /, **values: Any) -> str:
    """Translate ``text`` into the current language and fill its ``{placeholders}``."""
    text = translate(text)
    return text.format(**values) if values else text
