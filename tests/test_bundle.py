"""The frozen station bundle works from itself alone: CLI, first database, login, print, GUI.

Runs only when ``STATIONCRM_BUNDLE`` names a built ``dist/StationCRM`` folder
(``installer/build.sh``; ``.ci/bundle`` builds it and runs this file). Every command runs the
bundle's own program, in a temporary folder, with fresh per-user folders and none of this
checkout's environment: what it needs must be inside the bundle.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import app
from app import schema

BUNDLE = os.environ.get("STATIONCRM_BUNDLE", "").strip()
if not BUNDLE:
    pytest.skip("STATIONCRM_BUNDLE names no built bundle (installer/build.sh, .ci/bundle)",
                allow_module_level=True)

PASSWORD = "demo1234"  # every demo user's (README)
GUI_SECONDS = 8  # the GUI must still be running this long after it was started
# The demo data's three years up to today (a report covers at most ten).
DEMO_YEARS = ("--from", (dt.date.today() - dt.timedelta(days=3 * 366)).isoformat(),
              "--to", dt.date.today().isoformat())


def _program(folder: Path) -> Path:
    if sys.platform == "win32":
        return folder / "stationcrm.com"  # the console twin; StationCRM.exe is windowed
    return folder / "stationcrm"


@dataclass
class Station:
    """The bundle's program and the folders of one fresh station user."""

    program: Path
    home: Path
    env: dict[str, str]

    def run(self, *args: str, password: str | None = None, timeout: float = 180,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.program), *args], cwd=self.home, env={**self.env, **(extra_env or {})},
            input=None if password is None else password + "\n",
            capture_output=True, text=True, encoding="utf-8", timeout=timeout, check=False,
        )

    @property
    def log_dir(self) -> Path:
        return Path(self.env["STATIONCRM_LOG_DIR"])

    @property
    def database(self) -> Path:
        return Path(self.env["STATIONCRM_DATA_DIR"]) / "stationcrm.sqlite3"


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a new user: no STATIONCRM_* or Python settings of this checkout."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("STATIONCRM_", "PYTHON", "VIRTUAL_ENV", "QT_"))}
    env.update(
        HOME=str(home),
        STATIONCRM_DATA_DIR=str(home / "data"),
        STATIONCRM_CONFIG_DIR=str(home / "config"),
        STATIONCRM_LOG_DIR=str(home / "log"),
        QT_QPA_PLATFORM="offscreen",
        LANG="C.UTF-8",
    )
    return env


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Station:
    folder = Path(BUNDLE).resolve()
    program = _program(folder)
    assert program.is_file(), f"no program {program}: build with installer/build.sh"
    home = tmp_path_factory.mktemp("station")
    return Station(program, home, _clean_env(home))


@pytest.fixture(scope="module")
def first_database(station: Station) -> Station:
    """A fresh embedded database: schema created by `db upgrade`, then the demo data."""
    assert not station.database.exists()
    upgraded = station.run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert f"from (empty) to {schema.head_revision()}" in upgraded.stdout
    demo = station.run("demo-data", "--customers", "40", "--seed", "1")
    assert demo.returncode == 0, demo.stderr
    assert "customers 40" in demo.stdout
    return station


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian: poppler-utils)")
    return found


def _pdf_text(path: Path) -> str:
    return subprocess.run([_tool("pdftotext"), "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, text=True, encoding="utf-8", check=True,
                          timeout=60).stdout


# --- the command line ------------------------------------------------------------------


def test_version_names_the_program_and_the_bundled_schema(station: Station) -> None:
    result = station.run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"stationcrm {app.__version__}")
    assert schema.head_revision() in result.stdout


def test_help_lists_the_same_commands_as_the_installed_command(station: Station) -> None:
    result = station.run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("db", "user", "demo-data", "print", "export", "report"):
        assert command in result.stdout


def test_first_launch_creates_a_database_the_models_match(first_database: Station) -> None:
    assert first_database.database.stat().st_size > 100_000
    check = first_database.run("db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Schema matches the models" in check.stdout


def test_a_wrong_password_is_refused(first_database: Station) -> None:
    out = first_database.home / "refused.pdf"
    result = first_database.run("print", "order", "--latest", "--out", str(out),
                                "--user", "clerk1", "--password-stdin", password="wrong-pass")
    assert result.returncode == 2
    assert result.stderr.startswith("stationcrm: error:")
    assert not out.exists()


@pytest.mark.parametrize(("kind", "user", "title"), [
    ("order", "clerk1", "销售单"),        # barcode and QR code: reportlab's barcode modules
    ("intake", "clerk1", "接待单"),  # A5
])
def test_a_logged_in_user_prints_a_slip_with_chinese_text(first_database: Station, kind: str,
                                                         user: str, title: str) -> None:
    out = first_database.home / f"{kind}.pdf"
    result = first_database.run("print", kind, "--latest", "--out", str(out), "--user", user,
                                "--password-stdin", password=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "page(s) written" in result.stdout
    text = _pdf_text(out)
    assert title in text
    # The bundled font is embedded (no boxes on a PC without Chinese fonts).
    fonts = subprocess.run([_tool("pdffonts"), str(out)], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    assert "WenQuanYi" in fonts


def _report(station: Station, name: str) -> Path:
    """The manager's product-sales statistic over the demo years, in Chinese, as ``name``."""
    out = station.home / name
    result = station.run("report", "product-sales", *DEMO_YEARS, "--lang", "zh",
                         "--out", str(out), "--user", "manager", "--password-stdin",
                         password=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert "row(s) written" in result.stdout
    return out


def test_a_report_is_exported_to_excel(first_database: Station) -> None:
    out = _report(first_database, "product-sales.xlsx")
    with zipfile.ZipFile(out) as workbook:
        assert any(name.startswith("xl/worksheets/") for name in workbook.namelist())
    import openpyxl

    sheet = openpyxl.load_workbook(out, read_only=True).active
    cells = "".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in cells)


def test_a_report_is_exported_to_pdf(first_database: Station) -> None:
    out = _report(first_database, "product-sales.pdf")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in _pdf_text(out))


def test_a_list_is_exported_to_csv(first_database: Station) -> None:
    out = first_database.home / "customers.csv"
    result = first_database.run("export", "customers", "--out", str(out), "--user", "office1",
                                "--password-stdin", password=PASSWORD)
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Chinese Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 41
    assert any(ch in rows[1][1] for ch in "北京上海公司")


def test_the_server_drivers_load(station: Station) -> None:
    """psycopg's bundled libpq and pyodbc's ODBC driver manager answer, from the bundle."""
    postgres = station.run("db", "check", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x")
    assert postgres.returncode == 2
    assert "connection" in postgres.stderr and "pq wrapper" not in postgres.stderr
    mssql = station.run("db", "check", "--db", "mssql+pyodbc://127.0.0.1:1/x?driver=No+Such")
    assert mssql.returncode == 2
    assert "No module" not in mssql.stderr and "ODBC" in mssql.stderr.upper()


def test_the_sql_server_script_is_printed_offline(station: Station) -> None:
    result = station.run("db", "upgrade", "--sql", "--db",
                         "mssql+pyodbc://server/stationcrm?driver=ODBC+Driver+18+for+SQL+Server")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("CREATE TABLE") > 20


# --- the desktop client -----------------------------------------------------------------


@pytest.fixture
def gui_env(first_database: Station, tmp_path: Path) -> dict[str, str]:
    """The station's environment with its own config and log folders."""
    return dict(first_database.env, STATIONCRM_CONFIG_DIR=str(tmp_path / "config"),
                STATIONCRM_LOG_DIR=str(tmp_path / "log"))


@pytest.mark.parametrize("address", ["first start", "embedded address"])
def test_the_desktop_client_starts_offscreen_and_keeps_running(
        first_database: Station, gui_env: dict[str, str], address: str, tmp_path: Path) -> None:
    """Started without a command it shows its first window and waits: it must not exit.

    "first start": no station.toml (the setup wizard or the login, whichever this version
    opens first); "embedded address": STATIONCRM_DB_URL names the database made above, so
    the login dialog opens on it.
    """
    env = dict(gui_env)
    if address == "embedded address":
        env["STATIONCRM_DB_URL"] = f"sqlite:///{first_database.database.as_posix()}"
    # Start it in its own process group, so it and any child can be ended together.
    process = subprocess.Popen(
        [str(first_database.program), "--lang", "zh"], cwd=tmp_path, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + GUI_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        still_running = process.poll() is None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            out, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
    log_dir = Path(env["STATIONCRM_LOG_DIR"])
    log = (log_dir / "stationcrm.log").read_text(encoding="utf-8") \
        if (log_dir / "stationcrm.log").exists() else ""
    crash = (log_dir / "crash.log").read_text(encoding="utf-8") \
        if (log_dir / "crash.log").exists() else ""
    report = f"exit {process.returncode}\nstdout:\n{out}\nstderr:\n{err}\nlog:\n{log}\n{crash}"
    assert still_running, report
    assert "Traceback" not in err + log, report
    assert "Could not load the Qt platform plugin" not in err, report
    assert " ERROR " not in log and " CRITICAL " not in log, report
    assert "Fatal Python error" not in crash, report
    assert "starting" in log, report


def test_a_person_logs_in_and_reaches_the_main_window_on_a_real_display(
        first_database: Station, gui_env: dict[str, str], tmp_path: Path) -> None:
    """On an X server (Xvfb) with Qt's xcb plugin from the bundle, typed as a person would:
    user name, Tab, password, Enter — and the main window opens with the person's name."""
    xvfb, xdotool = shutil.which("Xvfb"), shutil.which("xdotool")
    if xvfb is None or xdotool is None:
        pytest.skip("needs Xvfb and xdotool (Debian: xvfb xdotool; .ci/bundle installs them)")
    display = f":{90 + os.getpid() % 9}"
    server = subprocess.Popen([xvfb, display, "-screen", "0", "1280x800x24", "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(gui_env, DISPLAY=display, QT_QPA_PLATFORM="xcb",
               STATIONCRM_DB_URL=f"sqlite:///{first_database.database.as_posix()}")
    client: subprocess.Popen[str] | None = None

    def windows(pattern: str) -> list[str]:
        found = subprocess.run([xdotool, "search", "--name", pattern, "getwindowname", "%@"],
                               env=env, capture_output=True, text=True, check=False)
        return [line for line in found.stdout.splitlines() if line.strip()]

    def wait_for(pattern: str, seconds: float, *, but: str = "\0") -> list[str]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if client is not None and client.poll() is not None:
                break
            if found := [name for name in windows(pattern) if but not in name]:
                return found
            time.sleep(0.3)
        return []

    try:
        time.sleep(1)
        client = subprocess.Popen([str(first_database.program), "--lang", "en"],
                                  cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                  start_new_session=True)
        assert wait_for("Log in — StationCRM", 60), "no login dialog"
        login = subprocess.run([xdotool, "search", "--name", "Log in — StationCRM"], env=env,
                               capture_output=True, text=True, check=True).stdout.split()[0]
        for step in (["windowfocus", "--sync", login], ["type", "--delay", "20", "admin"],
                     ["key", "Tab"], ["type", "--delay", "20", PASSWORD], ["key", "Return"]):
            subprocess.run([xdotool, *step], env=env, check=True, timeout=30)
            time.sleep(0.2)
        # "<page> — <station> — <person> — StationCRM": the program's name once, at the end,
        # where Qt would otherwise add it.
        main = wait_for(" — StationCRM$", 60, but="Log in")
        assert main, "the main window did not open"
        assert any(" — Storefront / dealers — " in name and name.count("StationCRM") == 1
                   for name in main), main
    finally:
        if client is not None and client.poll() is None:
            os.killpg(client.pid, signal.SIGTERM)
        if client is not None:
            try:
                client.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(client.pid, signal.SIGKILL)
        server.terminate()
        server.wait(timeout=10)
    log = (Path(env["STATIONCRM_LOG_DIR"]) / "stationcrm.log").read_text(encoding="utf-8")
    assert " ERROR " not in log and "Traceback" not in log, log
