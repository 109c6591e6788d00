"""Alembic migrations of the StationCRM schema, shipped inside the package.

``env.py`` and ``versions/`` are read by Alembic from this directory; ``app.schema`` builds
the Alembic configuration in code, so no ``alembic.ini`` is needed at runtime.
"""

from __future__ import annotations

from pathlib import Path

SCRIPT_LOCATION = Path(__file__).resolve().parent
"""The Alembic script directory (this package's directory)."""
