"""PySide6 user interface: windows, dialogs, item models, background operations."""
