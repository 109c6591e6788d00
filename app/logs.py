"""The station's log file: what went wrong, for the administrator, in the per-user log folder.

The windowed program has no console. Its log goes to ``stationcrm.log`` in the per-user log
folder (``STATIONCRM_LOG_DIR`` overrides it), rotated at 2 MB with five old files kept, and
a hard crash of the interpreter or of Qt (a segmentation fault) is written by
:mod:`faulthandler` to ``crash.log`` beside it. The crash dialog names the file.
"""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Final

import platformdirs

ENV_LOG_DIR: Final = "STATIONCRM_LOG_DIR"
LOG_FILE_NAME: Final = "stationcrm.log"
CRASH_FILE_NAME: Final = "crash.log"
MAX_BYTES: Final = 2 * 1024 * 1024
BACKUPS: Final = 5
_FORMAT: Final = "%(asctime)s %(levelname)-7s [%(threadName)s] %(name)s: %(message)s"

_state: dict[str, object] = {}


def log_dir(env: Mapping[str, str] = os.environ) -> Path:
    """The folder of the log files (created when logging starts)."""
    override = env.get(ENV_LOG_DIR, "").strip()
    if override:
        return Path(override).expanduser().absolute()
    return platformdirs.user_log_path("StationCRM", appauthor=False)


def current_log_file() -> Path | None:
    """The file this process logs to, once :func:`start_logging` ran; else None."""
    path = _state.get("file")
    return path if isinstance(path, Path) else None


def start_logging(env: Mapping[str, str] = os.environ, *, level: int = logging.INFO
                  ) -> Path | None:
    """Log to the rotating file and turn on faulthandler; returns the log file.

    Idempotent. When the folder cannot be written (a locked-down PC), logging stays on
    standard error and None is returned: the program still starts.
    """
    if "file" in _state:
        return current_log_file()
    folder = log_dir(env)
    path = folder / LOG_FILE_NAME
    root = logging.getLogger()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
        crash: IO[str] = (folder / CRASH_FILE_NAME).open("a", encoding="utf-8")
    except OSError as exc:
        logging.basicConfig(level=level, format=_FORMAT)
        logging.getLogger(__name__).warning("No log file in %s: %s", folder, exc)
        _state["file"] = None
        return None
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    _state.update(file=path, handler=handler, crash=crash,
                  faulthandler_was_on=faulthandler.is_enabled())
    faulthandler.enable(file=crash, all_threads=True)
    from app import __version__

    logging.getLogger(__name__).info("StationCRM %s starting (pid %d)", __version__,
                                     os.getpid())
    return path


def stop_logging() -> None:
    """Undo :func:`start_logging` (tests)."""
    handler = _state.pop("handler", None)
    if isinstance(handler, logging.Handler):
        logging.getLogger().removeHandler(handler)
        handler.close()
    crash = _state.pop("crash", None)
    if crash is not None:
        faulthandler.disable()
        crash.close()  # type: ignore[attr-defined]
        if _state.get("faulthandler_was_on"):
            faulthandler.enable()  # to standard error, as before
    _state.clear()
