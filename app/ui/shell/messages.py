"""The message line under the login and set-up forms: its kinds and how each looks.

A module of its own, with nothing but Qt in it, because the login shows it before the rest
of the client is loaded (app.ui.shell.startup).
"""

from __future__ import annotations

from typing import Final, Literal

from PySide6.QtWidgets import QLabel

MessageKind = Literal["info", "ok", "error"]

MESSAGE_STYLES: Final[dict[str, str]] = {
    "error": "QLabel { color: #8a1020; background: #fdecee; border: 1px solid #e3a0a8;"
             " border-radius: 4px; padding: 6px; }",
    "ok": "QLabel { color: #175c2a; background: #eaf6ec; border: 1px solid #9fd0aa;"
          " border-radius: 4px; padding: 6px; }",
    "info": "QLabel { color: palette(text); padding: 6px; }",
}


def style_message(label: QLabel, message: str, kind: MessageKind) -> None:
    label.setText(message)
    label.setProperty("kind", kind)
    label.setStyleSheet(MESSAGE_STYLES[kind])
    label.setVisible(bool(message))


__all__ = ["MESSAGE_STYLES", "MessageKind", "style_message"]
