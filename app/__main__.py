"""The ``stationcrm`` command and ``python -m app``: a command, or without one the GUI.

This is the program's entry point (pyproject's ``stationcrm`` and ``stationcrm-gui``
scripts, installer/entry.py for the bundle). Starting the desktop client does not go
through :mod:`app.cli`: importing it loads the database layer, Alembic and the services,
which the login window must not wait for (app.ui.shell.startup loads them while it is on
screen). So a plain start — no command, only the client's own options — is recognised here
and started directly; everything else goes to app.cli, whose ``gui`` command starts the
client here too.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from app.i18n import current_language, set_language
from app.logs import start_logging
from app.settings import ConfigFileError, load_settings

# The desktop client's options (app.cli.build_parser has the same, with their help);
# tests/ui/test_startup_imports.py checks that both read a start the same way.
LANGUAGES = ("zh", "en")


def desktop_options(argv: Sequence[str]) -> argparse.Namespace | None:
    """``db``, ``station`` and ``language`` when ``argv`` only starts the desktop client.

    None for anything else — a command, ``--help``, ``--version``, an abbreviated option, a
    mistake — which app.cli then answers as it always has.
    """
    parser = argparse.ArgumentParser(add_help=False, allow_abbrev=False, exit_on_error=False)
    parser.add_argument("--db")
    parser.add_argument("--station")
    parser.add_argument("--lang", dest="language", choices=LANGUAGES)
    try:
        options, rest = parser.parse_known_args(list(argv))
    except argparse.ArgumentError:
        return None
    return None if rest else options


def start_desktop(options: argparse.Namespace) -> int:
    """What ``stationcrm`` without a command does: the log file, the settings (a
    station.toml that cannot be used is shown in a message box), the GUI.

    app.cli's default command comes here too (a start this module leaves to it, such as an
    abbreviated option); ``options`` needs ``db``, ``station`` and ``language``, which both
    parsers give.
    """
    # Imported only here: a command needs no Qt.
    from app.ui.shell.app import run_gui

    start_logging()  # the windowed program has no console: its log is a file
    try:
        settings = load_settings(flag_db=options.db, flag_station=options.station,
                                 flag_language=options.language)
    except ConfigFileError as error:
        from app.ui.shell.app import show_startup_error

        set_language(options.language)
        print(f"stationcrm: error: {error.message_for(current_language())}", file=sys.stderr)
        return show_startup_error(error, language=options.language)
    return run_gui(settings, language=options.language)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``stationcrm`` with ``argv`` (default: the process's) and return the exit code."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    options = desktop_options(arguments)
    if options is not None:
        return start_desktop(options)
    # Imported only here: see the module docstring.
    from app.cli import main as command_line

    return command_line(arguments)


__all__ = ["desktop_options", "main", "start_desktop"]

if __name__ == "__main__":
    sys.exit(main())
