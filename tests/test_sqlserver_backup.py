"""The nightly backup kit for SQL Server Express (installer/sqlserver), read as a reviewer would.

Neither sqlcmd nor Windows runs here: these tests hold the scripts to what docs/sqlserver.md
promises — a verified backup first, retention only after it, nothing deleted after a
failure, Unicode literals, settings that reach the SQL script.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
KIT = REPOSITORY / "installer" / "sqlserver"
DOCS = REPOSITORY / "docs"


@pytest.fixture(scope="module")
def cmd() -> str:
    return (KIT / "backup.cmd").read_bytes().decode("ascii")


@pytest.fixture(scope="module")
def sql() -> str:
    return (KIT / "backup.sql").read_text(encoding="utf-8")


def _code(text: str, comment: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().lower().startswith(comment)]


def test_the_batch_file_has_windows_line_endings(cmd: str) -> None:
    assert "\r\n" in cmd and "\n" not in cmd.replace("\r\n", "")


def test_the_batch_file_runs_the_sql_script_with_sqlcmd_stopping_at_errors(cmd: str) -> None:
    [call] = [line for line in _code(cmd, "rem") if line.lower().startswith("sqlcmd ")]
    for flag in ("-E", "-b", "-I", '-i "%SCRIPT%"'):
        assert f" {flag} " in f" {call} ", flag
    assert 'set "SCRIPT=%~dp0backup.sql"' in cmd  # beside the batch file, wherever it is
    passed = set(re.findall(r'(\w+)="%', call))
    assert passed == {"DatabaseName", "BackupFolder", "BackupKind"}


def test_every_sqlcmd_variable_the_script_uses_is_passed(sql: str, cmd: str) -> None:
    used = set(re.findall(r"\$\((\w+)\)", sql))
    assert used == {"DatabaseName", "BackupFolder", "BackupKind"}
    assert all(f'{name}="' in cmd for name in used)


def test_old_backups_go_only_after_a_verified_backup(cmd: str) -> None:
    lines = _code(cmd, "rem")
    sqlcmd = next(i for i, line in enumerate(lines) if line.lower().startswith("sqlcmd "))
    assert lines[sqlcmd + 1] == "if errorlevel 1 goto failed"
    deleting = [i for i, line in enumerate(lines) if "del " in line]
    assert deleting and all(i > sqlcmd + 1 for i in deleting)
    failed = lines.index(":failed")
    assert all(i < failed for i in deleting)
    assert lines[failed + 2] == "exit /b 1"
    # Each kind keeps its own files: a log run never deletes full backups.
    assert '/m "%SCRM_DATABASE%_%KIND%_*.%EXT%"' in cmd
    assert 'set "SCRM_KEEP_DAYS=14"' in cmd


def test_the_backup_is_checked_and_read_back(sql: str) -> None:
    code = " ".join(_code(sql, "--"))
    assert re.search(r"BACKUP DATABASE @database TO DISK = @file\s+WITH CHECKSUM, INIT", code)
    assert re.search(r"BACKUP LOG @database TO DISK = @file\s+WITH CHECKSUM, INIT", code)
    assert code.index("RESTORE VERIFYONLY FROM DISK = @file WITH CHECKSUM") > code.index(
        "BACKUP LOG")
    assert "COMPRESSION" not in code  # Express refuses it
    # A log backup of a database in SIMPLE recovery is refused with a clear message.
    assert "@recovery = N'SIMPLE'" in code and "THROW 50003" in code


def test_every_literal_in_the_sql_script_is_unicode(sql: str) -> None:
    code = "\n".join(_code(sql, "--"))
    # Drop the N'...' literals; no quote may be left.
    rest = re.sub(r"N'(?:[^']|'')*'", "", code)
    assert "'" not in rest


def test_the_file_names_are_what_the_guide_and_the_retention_expect(sql: str) -> None:
    code = " ".join(_code(sql, "--"))
    assert ("N'$(BackupFolder)' + N'\\' + @database + N'_' + @kind + N'_' + @stamp"
            in code)
    assert "THEN N'.trn' ELSE N'.bak'" in code


def test_the_guide_covers_the_kit_and_the_dba_guide_links_it() -> None:
    guide = (DOCS / "sqlserver.md").read_text(encoding="utf-8")
    for needed in ("COLLATE Chinese_PRC_CI_AS", "READ_COMMITTED_SNAPSHOT ON",
                   "Trusted_Connection=yes", "CHECK_POLICY = ON", "Service Pack 1 (13.0.4001)",
                   "backup.cmd", "schtasks /Create", "RESTORE DATABASE", "SET XACT_ABORT ON",
                   "db_backupoperator", "stationcrm db check"):
        assert needed in guide, needed
    assert "](sqlserver.md)" in (DOCS / "dba.md").read_text(encoding="utf-8")
