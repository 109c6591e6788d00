"""Where shipped resources are: a source checkout, an installed wheel, a zip and a frozen bundle.

Callers need real files: reportlab and Qt open fonts and ``.qm`` catalogs by file name. So
every resource is handed out as a :class:`~pathlib.Path` on disk:

- a PyInstaller bundle keeps them under ``sys._MEIPASS`` as ``app/resources/`` (the spec in
  ``installer/`` puts them there);
- an installed wheel has them as the package data of ``app.resources``;
- a source checkout keeps them in the top-level ``resources/`` folder beside ``app/`` (an
  editable install maps ``app.resources`` to it);
- a package imported from a zip (or any loader whose files are not on disk) is read through
  :mod:`importlib.resources` and copied once into a private temporary folder that is removed
  when the process ends.
"""

from __future__ import annotations

import atexit
import shutil
import sys
import tempfile
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "app.resources"
CJK_FONT_FILE = "wqy-microhei.ttc"

# Copies made for resources that are not files on disk (zip imports), keyed by their parts.
_extracted: dict[tuple[str, ...], Path] = {}


def frozen_root() -> Path | None:
    """The folder a frozen program's data files lie in, or None when not frozen.

    PyInstaller sets ``sys.frozen`` and ``sys._MEIPASS`` (the ``_internal`` folder of a
    one-folder bundle); other freezers set only ``sys.frozen`` and keep data beside the
    executable.
    """
    if not getattr(sys, "frozen", False):
        return None
    meipass = getattr(sys, "_MEIPASS", None)
    return Path(meipass) if meipass else Path(sys.executable).resolve().parent


def _checkout_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"


@cache
def _root() -> Traversable:
    """The resource folder as importlib.resources sees it (not necessarily on disk)."""
    frozen = frozen_root()
    if frozen is not None and (frozen / "app" / "resources").is_dir():
        return frozen / "app" / "resources"
    try:
        return resources.files(PACKAGE)
    except ModuleNotFoundError:
        return _checkout_dir()


def _on_disk(item: Traversable, parts: tuple[str, ...]) -> Path:
    """``item`` as a path on disk: itself when it is one, else a private copy.

    A ``MultiplexedPath`` (a namespace package spread over folders) and a ``zipfile.Path``
    are Traversables but not paths: ``Path(str(item))`` names nothing real for them.
    """
    if isinstance(item, Path):
        return item
    if parts in _extracted:
        return _extracted[parts]
    base = _extraction_dir()
    target = base.joinpath("resources", *parts)
    _copy(item, target)
    _extracted[parts] = target
    return target


@cache
def _extraction_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="stationcrm-resources-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _copy(item: Traversable, target: Path) -> None:
    if item.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        for child in item.iterdir():
            _copy(child, target / child.name)
    elif item.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.read_bytes())
    # Neither: a missing resource. The caller gets a path that does not exist, as it would
    # on disk, and reports it in its own words.


def resources_dir() -> Path:
    """The folder holding fonts/, translations/ and passwords/, on disk."""
    return _on_disk(_root(), ())


def resource(*parts: str) -> Path:
    """A shipped file or folder on disk, e.g. ``resource("fonts", CJK_FONT_FILE)``."""
    item = _root()
    for part in parts:  # one name at a time: MultiplexedPath.joinpath takes one on 3.11
        item = item.joinpath(part)
    return _on_disk(item, parts)


def clear_cache() -> None:
    """Forget where resources were found (for tests that move them)."""
    _root.cache_clear()
    _extracted.clear()


def cjk_font_path() -> Path:
    """The shipped TrueType CJK font (WenQuanYi Micro Hei, Apache-2.0)."""
    return resource("fonts", CJK_FONT_FILE)
