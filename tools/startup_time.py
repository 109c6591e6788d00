"""How long the desktop client takes from process start to the login window on screen.

Usage::

    QT_QPA_PLATFORM=offscreen python tools/startup_time.py [--runs 7] [--entry module|cli|bare]
    xvfb-run -a python tools/startup_time.py --runs 7

Each run starts a fresh interpreter that runs the real entry point — ``app.__main__.main``
(``python -m app``, the ``stationcrm-gui`` script) or ``app.cli.main`` (the ``stationcrm``
command and the installed bundle) — with ``--db`` pointing at a scratch SQLite file, so the
login shows without the first-start wizard and without touching this PC's station.toml.
``--entry bare`` shows a bare PySide6 dialog instead: the floor nothing of ours can beat.

The clock is CLOCK_MONOTONIC, shared by every process on the machine: this script reads it
just before starting the child, the child reads it at the login window's first paint
event. The child then also reports how many modules were loaded at that moment and which
of the heavy ones, and (unless ``--no-ready``) how long until app.ui.shell.startup had
loaded the rest of the client (the main window and its pages) and the longest the GUI
thread was busy meanwhile (what a key pressed in the login would have waited), then
quits. A version of the program without that deferred loading never gets there before a
login: give it ``--no-ready``.

The machine is shared and has few cores: the script prints the median and the spread of
the runs, and the load average, so a number can be judged. It also prints the CPU time the
child had used by the paint (all its threads), which other programs' load disturbs much
less than the clock time.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Loaded while the login is on screen would mean the start-up loads them too early.
HEAVY_MODULES = ("alembic", "reportlab", "app.cli", "app.schema", "app.bootstrap",
                 "app.services.auth", "app.services.uow", "app.ui.context", "app.ui.errors",
                 "app.ui.shell.later", "app.ui.shell.main_window", "app.ui.shell.setup_wizard",
                 "app.ui.customers.list_page", "sqlalchemy.orm", "app.models.customers")

# The child: nothing imported before the clock is read but what reading it needs. The
# QApplication is made here (the program's start-up reuses it) so that an event filter can
# see the login's first paint without the program knowing it is being measured.
CHILD = r"""
import time
started = time.monotonic()
import json, os, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout

HEAVY = {heavy!r}
WINDOWS = ("login_dialog", "setup_wizard", "bare_dialog")
WAIT_FOR = "app.ui.shell.later"  # the deferred loading's last step
found = {{}}


def report():
    found["modules_at_paint"] = found.get("modules_at_paint", 0)
    found["ready_ms_after_start"] = (
        (time.monotonic() - found["painted"]) * 1000 + found["paint_ms_after_start"]
        if WAIT_FOR in sys.modules else None)
    found["modules_at_end"] = len(sys.modules)
    print("STARTUP " + json.dumps(found), flush=True)
    os._exit(0)


def wait_until_ready(asked=None):
    # Asked to run again in 5 ms: how much later it runs is how long the GUI thread was
    # busy, i.e. how long a key typed into the login would have waited.
    now = time.monotonic()
    if asked is not None:
        found["worst_wait_ms"] = max(found.get("worst_wait_ms", 0), (now - asked) * 1000 - 5)
    if {ready!r} and WAIT_FOR not in sys.modules and now - found["painted"] < 10:
        QTimer.singleShot(5, lambda: wait_until_ready(now))
    else:
        report()


class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if (event.type() == QEvent.Type.Paint and "painted" not in found
                and getattr(watched, "objectName", lambda: "")() in WINDOWS):
            found["painted"] = time.monotonic()
            found["cpu_ms_at_paint"] = time.process_time() * 1000
            found["paint_ms_after_start"] = (found["painted"] - started) * 1000
            found["window"] = watched.objectName()
            found["modules_at_paint"] = len(sys.modules)
            found["heavy_at_paint"] = sorted(name for name in HEAVY if name in sys.modules)
            QTimer.singleShot(0, wait_until_ready)
        return False


application = QApplication(sys.argv[:1])
watcher = FirstPaint()
application.installEventFilter(watcher)
print("CLOCK " + repr(started), flush=True)
entry = {entry!r}
if entry == "bare":
    dialog = QDialog()
    dialog.setObjectName("bare_dialog")
    QVBoxLayout(dialog).addWidget(QLabel("StationCRM", dialog))
    dialog.show()
    sys.exit(application.exec())
if entry == "cli":
    from app.cli import main
else:
    from app.__main__ import main
sys.exit(main(["--db", {db!r}]))
"""


def run_once(entry: str, db: str, *, ready: bool, env: dict[str, str]) -> dict[str, Any]:
    code = CHILD.format(heavy=HEAVY_MODULES, entry=entry, db=db, ready=ready)
    before = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=60, check=False)
    lines = {line.split(" ", 1)[0]: line.split(" ", 1)[1]
             for line in done.stdout.splitlines() if line.startswith(("CLOCK ", "STARTUP "))}
    if "STARTUP" not in lines:
        raise SystemExit(f"the child did not show a window (exit {done.returncode}):\n"
                         f"{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(lines["STARTUP"])
    result["painted_ms"] = (result["painted"] - before) * 1000
    result["interpreter_ms"] = (float(lines["CLOCK"]) - before) * 1000
    if result.get("ready_ms_after_start") is not None:
        result["ready_ms"] = result["interpreter_ms"] + result["ready_ms_after_start"]
    return result


def _summary(name: str, values: list[float]) -> str:
    return (f"{name}: median {statistics.median(values):.0f} ms "
            f"(min {min(values):.0f}, max {max(values):.0f}, n={len(values)})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--entry", choices=("module", "cli", "bare"), default="module")
    parser.add_argument("--no-ready", dest="ready", action="store_false",
                        help="stop at the first paint; do not wait for the deferred loading")
    parser.add_argument("--json", action="store_true", help="one JSON line per run")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="stationcrm-startup-") as scratch:
        env = {**os.environ, "STATIONCRM_CONFIG_DIR": str(Path(scratch, "config")),
               "STATIONCRM_DATA_DIR": str(Path(scratch, "data"))}
        db = "sqlite:///" + Path(scratch, "startup.sqlite3").as_posix()
        run_once(args.entry, db, ready=args.ready, env=env)  # warms the file cache
        results = [run_once(args.entry, db, ready=args.ready, env=env)
                   for _ in range(args.runs)]
    if args.json:
        for result in results:
            print(json.dumps(result))
    print(f"entry: {args.entry}; platform: {os.environ.get('QT_QPA_PLATFORM') or 'default'}"
          f" (DISPLAY={os.environ.get('DISPLAY', '')}); load average: "
          + " ".join(f"{load:.2f}" for load in os.getloadavg()))
    print(_summary("interpreter started", [float(r["interpreter_ms"]) for r in results]))
    print(_summary("login painted", [float(r["painted_ms"]) for r in results]))
    print(_summary("CPU time used by then", [float(r["cpu_ms_at_paint"]) for r in results]))
    ready = [float(r["ready_ms"]) for r in results if r.get("ready_ms") is not None]
    if ready:
        print(_summary("main window's modules loaded", ready))
        print(_summary("longest the login did not answer meanwhile",
                       [float(r.get("worst_wait_ms", 0)) for r in results]))
    print(f"modules at paint: {results[-1]['modules_at_paint']}; heavy ones loaded: "
          f"{', '.join(results[-1]['heavy_at_paint']) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
