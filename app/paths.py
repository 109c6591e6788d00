"""Where shipped resources are, for an installed wheel and for a source checkout alike."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The folder holding fonts/, translations/ and icons/.

    An installed copy has them as the package data of ``app.resources``; a source
    checkout keeps them in the top-level ``resources/`` folder beside ``app/``.
    """
    try:
        root = resources.files("app.resources")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "resources"
    return Path(str(root))


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


CJK_FONT_FILE = "wqy-microhei.ttc"


def cjk_font_path() -> Path:
    """The shipped TrueType CJK font (WenQuanYi Micro Hei, Apache-2.0)."""
    return resource("fonts", CJK_FONT_FILE)
