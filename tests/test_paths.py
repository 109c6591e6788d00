"""Shipped resources are found as files on disk: checkout, wheel layout, zip, frozen bundle."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import paths

REPOSITORY = Path(__file__).resolve().parent.parent
FONT = REPOSITORY / "resources" / "fonts" / paths.CJK_FONT_FILE
QM = REPOSITORY / "resources" / "translations" / "stationcrm_zh_CN.qm"


@pytest.fixture(autouse=True)
def fresh_lookup() -> Iterator[None]:
    """Each test finds the resources anew, and leaves no lookup behind for other tests."""
    paths.clear_cache()
    yield
    paths.clear_cache()


def _fake_resources(root: Path) -> Path:
    """A resource folder with a small stand-in font and catalog under ``root``."""
    (root / "fonts").mkdir(parents=True)
    (root / "fonts" / paths.CJK_FONT_FILE).write_bytes(b"font")
    (root / "translations").mkdir()
    (root / "translations" / "stationcrm_zh_CN.qm").write_bytes(b"qm")
    return root


def test_source_checkout_finds_the_top_level_resources_folder() -> None:
    assert paths.cjk_font_path().read_bytes() == FONT.read_bytes()
    assert paths.resource("translations").is_dir()
    assert paths.resources_dir().samefile(REPOSITORY / "resources")


def test_without_the_resources_package_the_checkout_folder_is_used(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "PACKAGE", "app.no_such_resources")
    assert paths.resources_dir() == REPOSITORY / "resources"
    assert paths.cjk_font_path() == FONT


def test_pyinstaller_bundle_reads_from_meipass(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    bundled = _fake_resources(tmp_path / "_internal" / "app" / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)

    assert paths.frozen_root() == tmp_path / "_internal"
    assert paths.cjk_font_path() == bundled / "fonts" / paths.CJK_FONT_FILE
    assert paths.resource("translations", "stationcrm_zh_CN.qm").read_bytes() == b"qm"
    assert paths.resources_dir() == bundled


def test_other_freezers_keep_data_beside_the_executable(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    bundled = _fake_resources(tmp_path / "app" / "resources")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "stationcrm"))

    assert paths.cjk_font_path() == bundled / "fonts" / paths.CJK_FONT_FILE


def test_frozen_without_bundled_resources_falls_back_to_the_package(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.cjk_font_path().read_bytes() == FONT.read_bytes()


def test_not_frozen_ignores_a_stale_meipass(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    _fake_resources(tmp_path / "app" / "resources")
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.frozen_root() is None
    assert paths.cjk_font_path().samefile(FONT)


def test_a_package_in_a_zip_is_copied_out_to_real_files(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    archive = tmp_path / "resources.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_resources/__init__.py", "")
        zf.writestr(f"zipped_resources/fonts/{paths.CJK_FONT_FILE}", b"zipped font")
        zf.writestr("zipped_resources/translations/stationcrm_zh_CN.qm", b"zipped qm")
        zf.writestr("zipped_resources/passwords/common-passwords.txt", "123456\n")
    monkeypatch.syspath_prepend(str(archive))
    monkeypatch.setattr(paths, "PACKAGE", "zipped_resources")

    # What app/paths.py used to do names no file for a zip import.
    from importlib import resources
    assert not Path(str(resources.files("zipped_resources"))).exists()

    font = paths.cjk_font_path()
    assert font.is_file() and font.read_bytes() == b"zipped font"
    assert not str(font).startswith(str(archive))
    assert paths.cjk_font_path() == font  # copied once
    folder = paths.resource("translations")
    assert (folder / "stationcrm_zh_CN.qm").read_bytes() == b"zipped qm"
    assert (paths.resources_dir() / "passwords" / "common-passwords.txt").read_text() == \
        "123456\n"
    assert not paths.resource("fonts", "missing.ttf").exists()
    sys.modules.pop("zipped_resources", None)


def test_a_namespace_spread_over_folders_gives_real_files(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    # A MultiplexedPath: the type whose str() broke the frozen bundle's font and catalog.
    first = tmp_path / "first" / "spread_resources"
    second = tmp_path / "second" / "spread_resources"
    (first / "fonts").mkdir(parents=True)
    (first / "fonts" / paths.CJK_FONT_FILE).write_bytes(b"font")
    (second / "translations").mkdir(parents=True)
    (second / "translations" / "stationcrm_zh_CN.qm").write_bytes(b"qm")
    monkeypatch.syspath_prepend(str(tmp_path / "second"))
    monkeypatch.syspath_prepend(str(tmp_path / "first"))
    monkeypatch.setattr(paths, "PACKAGE", "spread_resources")

    from importlib import resources
    root = resources.files("spread_resources")
    assert type(root).__name__ == "MultiplexedPath"
    assert not Path(str(root)).exists()

    assert paths.cjk_font_path().read_bytes() == b"font"
    assert paths.resource("translations", "stationcrm_zh_CN.qm").read_bytes() == b"qm"
    merged = paths.resources_dir()
    assert (merged / "fonts" / paths.CJK_FONT_FILE).is_file()
    assert (merged / "translations" / "stationcrm_zh_CN.qm").is_file()
    sys.modules.pop("spread_resources", None)


def test_the_real_package_zipped_like_a_wheel_finds_font_and_catalog(tmp_path: Path) -> None:
    """The whole ``app`` package imported from a zip, resources laid out as in the wheel."""
    archive = tmp_path / "stationcrm.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(REPOSITORY / "app" / "__init__.py", "app/__init__.py")
        zf.write(REPOSITORY / "app" / "paths.py", "app/paths.py")
        for path in sorted((REPOSITORY / "resources").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, "app/resources/" + path.relative_to(REPOSITORY / "resources")
                         .as_posix())
    probe = (
        "import app, app.paths as p;"
        "print(app.__file__);"
        "f = p.cjk_font_path(); print(f); print(f.stat().st_size);"
        "print(sorted(x.name for x in p.resource('translations').iterdir()))"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(archive)!r}); "
         + probe],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    module, font, size, catalogs = result.stdout.splitlines()
    assert module.startswith(str(archive))
    assert int(size) == FONT.stat().st_size
    assert "stationcrm_zh_CN.qm" in catalogs
    assert not Path(font).exists()  # the private copy went with the process
