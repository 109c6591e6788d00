"""The bundle's program: the ``stationcrm`` command line (``app.__main__:main``).

Without a command it starts the desktop client, exactly as the installed ``stationcrm``
does: straight to the login, without importing app.cli first; a command goes on to app.cli.
A script of its own (rather than ``app/__main__.py``) keeps PyInstaller from putting
``app/`` itself on the module search path, where ``app/settings.py`` could shadow a
top-level module of the same name.
"""

import multiprocessing
import sys

from app.__main__ import main

if __name__ == "__main__":
    # A process the program starts (the demo generator's lanes, app.demo) is this
    # executable again: freeze_support runs its work and exits instead of the program.
    multiprocessing.freeze_support()
    sys.exit(main())
