"""Alembic revision scripts (loaded by file; this file only makes the wheel ship them)."""
