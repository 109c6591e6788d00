"""``python -m app``: the ``stationcrm`` command line (without a command it will start the GUI)."""

from __future__ import annotations

import sys

from app.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
