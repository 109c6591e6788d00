"""PySide6 user interface: windows, dialogs, item models, background operations."""

from app.ui import qtfixes

# Before any window exists: see qtfixes for the PySide6 defect this guards against.
qtfixes.install()
