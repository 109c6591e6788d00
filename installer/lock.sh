#!/usr/bin/env bash
# Re-pin installer/requirements-lock.txt, the exact files the station bundle is built from:
# the runtime dependencies of pyproject.toml plus installer/requirements-build.in
# (PyInstaller). One universal lock, with hashes, for Linux and Windows, Python 3.11 and
# 3.12+ (the PySide6 pins fork on python_version as pyproject.toml does).
# Run it after changing dependencies, then rebuild and smoke-test: bash .ci/bundle.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=build/lock-venv
[[ -x $tools/bin/uv ]] || { python3 -m venv "$tools" && "$tools/bin/pip" install -q uv; }
"$tools/bin/uv" pip compile pyproject.toml installer/requirements-build.in \
    --universal --python-version 3.11 --generate-hashes --quiet \
    --custom-compile-command "installer/lock.sh" \
    --output-file installer/requirements-lock.txt "$@"
