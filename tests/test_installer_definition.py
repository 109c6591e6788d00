"""The Windows installer definition, read as a reviewer would (it cannot be compiled here):
what it ships exists, Chinese comes first, it installs per machine, and uninstalling keeps
every user's data."""

from __future__ import annotations

import re
from pathlib import Path

INSTALLER = Path(__file__).resolve().parents[1] / "installer"
ISS = (INSTALLER / "stationcrm.iss").read_text(encoding="utf-8")


def _section(name: str) -> list[str]:
    match = re.search(rf"^\[{name}\]\n(.*?)(?=^\[|\Z)", ISS, re.S | re.M)
    assert match, f"no [{name}] section"
    return [line for line in match.group(1).splitlines()
            if line.strip() and not line.startswith(";") and not line.startswith("#")]


def test_every_shipped_file_of_the_repository_exists() -> None:
    sources = [re.search(r'Source: "([^"]+)"', line).group(1)  # type: ignore[union-attr]
               for line in _section("Files")]
    assert any(s.startswith("..\\dist\\StationCRM") for s in sources)  # the bundle
    kit = [s for s in sources if s.startswith("sqlserver\\")]
    assert sorted(kit) == sorted(f"sqlserver\\{p.name}"
                                 for p in (INSTALLER / "sqlserver").iterdir()
                                 if p.suffix in {".cmd", ".sql"})
    for source in kit:
        assert (INSTALLER / source.replace("\\", "/")).is_file()


def test_chinese_first_per_machine_and_data_kept_on_uninstall() -> None:
    languages = _section("Languages")
    assert languages[0].startswith('Name: "chinesesimplified"')
    assert "PrivilegesRequired=admin" in ISS
    assert "DefaultDirName={autopf}" in ISS
    # The uninstaller removes what setup installed; nothing deletes a user's data folder.
    deleting = " ".join(" ".join(_section(name)) for name in ("InstallDelete", "UninstallDelete")
                        if re.search(rf"^\[{name}\]", ISS, re.M))
    assert "{localappdata}" not in deleting and "{userappdata}" not in deleting
    assert "msodbcsql" in ISS.lower()  # the SQL Server driver as a prerequisite
