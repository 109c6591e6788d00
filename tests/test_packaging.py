"""Packaging and layering: the wheel carries resources and migrations; lower layers have no Qt."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


def _clean_copy(target: Path) -> Path:
    """The files of the working tree that git would commit, without build leftovers
    (a stale *.egg-info once hid a missing font from this test)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPOSITORY, capture_output=True, check=True, timeout=60,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPOSITORY / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    tree = _clean_copy(tmp_path_factory.mktemp("tree"))
    result = subprocess.run(
        # Built the way 'pip install .' builds it, in an isolated build environment.
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    [built] = out.glob("stationcrm-*.whl")
    return built


def test_wheel_ships_font_licence_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "app/resources/fonts/wqy-microhei.ttc" in names
    assert "app/resources/fonts/LICENSE-wqy-microhei.txt" in names
    assert "app/resources/translations/stationcrm_zh_CN.qm" in names
    assert "app/migrations/script.py.mako" in names
    assert "app/migrations/env.py" in names
    assert any(n.startswith("app/migrations/versions/") and n.endswith("_initial_schema.py")
               for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_installed_copy_finds_its_resources_outside_the_checkout(wheel: Path,
                                                                  tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import app.paths as p, app.schema as s;"
        "print(p.cjk_font_path());print(p.cjk_font_path().stat().st_size);"
        "print(s.head_revision())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    font, size, head = result.stdout.split()
    assert font.startswith(str(site)) and int(size) > 1_000_000
    assert len(head) >= 12


def test_models_services_and_reports_import_without_qt() -> None:
    probe = (
        "import sys, pkgutil, importlib, app.models, app.services, app.reports;"
        "[importlib.import_module(m.name) for pkg in (app.models, app.services, app.reports)"
        " for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.')];"
        "import app.cli, app.bootstrap, app.demo;"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPOSITORY,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
