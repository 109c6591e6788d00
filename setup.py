"""Package list for setuptools; all other metadata is in pyproject.toml.

``resources/`` (fonts, translations, icons) lives at the top of the repository and ships
inside the wheel as the package ``app.resources``, so an installed copy finds it through
importlib.resources. Automatic discovery cannot express that mapping.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).resolve().parent
# Each resource folder is a data-only package of its own (setuptools treats every
# shipped folder as a package).
RESOURCE_FOLDERS = sorted(
    p.name for p in (HERE / "resources").iterdir() if p.is_dir() and not p.name.startswith("_")
)

setup(
    packages=[
        *find_packages(include=["app", "app.*"]),
        "app.resources",
        *(f"app.resources.{name}" for name in RESOURCE_FOLDERS),
    ],
    package_dir={"": ".", "app.resources": "resources"},
    package_data={
        "app.migrations": ["script.py.mako", "alembic.ini"],
        "app.resources": ["*.md"],
        **{f"app.resources.{name}": ["*"] for name in RESOURCE_FOLDERS},
    },
)
