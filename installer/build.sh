#!/usr/bin/env bash
# Build the station bundle for the machine this runs on: dist/StationCRM/, whose program
# dist/StationCRM/stationcrm takes the same arguments as the `stationcrm` command.
#
# A clean build venv (build/bundle-venv) is made from installer/requirements-lock.txt
# (pinned, hashed) and PyInstaller runs installer/stationcrm.spec in it. The app itself is
# not installed: the spec reads app/ and resources/ from this checkout.
#
# Python: $STATIONCRM_BUILD_PYTHON, else the first Python 3.12+ found (PATH, then pyenv),
# else python3. The bundle is meant to be built on 3.12+ (PySide6 6.12 with PySide6-Pdf);
# on 3.11 the lock gives PySide6 6.11 (see the note in pyproject.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

find_python() {
    local candidate
    if [[ -n ${STATIONCRM_BUILD_PYTHON:-} ]]; then
        echo "$STATIONCRM_BUILD_PYTHON"
        return
    fi
    for candidate in python3.12 python3.13 \
            "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3 \
            "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3 \
            /usr/bin/python3.12 /usr/bin/python3.13; do
        # A pyenv shim exists on PATH even when it cannot run that version: try it.
        if "$candidate" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    echo "build: no Python 3.12+ found; building on $(python3 --version) with PySide6 6.11" >&2
    echo python3
}

python=$(find_python)
venv=build/bundle-venv
echo "build: $("$python" --version) ($python)"

rm -rf "$venv" build/pyinstaller dist/StationCRM
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# --require-hashes: every file must match the lock; --only-binary: no compiler, no surprises.
"$venv/bin/python" -m pip install -q --require-hashes --only-binary :all: --no-deps \
    -r installer/requirements-lock.txt
"$venv/bin/python" -m pip check
echo "build: build venv ready after $(( $(date +%s) - started )) s"

"$venv/bin/python" -m PyInstaller installer/stationcrm.spec --noconfirm --clean \
    --log-level WARN --distpath dist --workpath build/pyinstaller

dist/StationCRM/stationcrm --version

# PyInstaller copies the libraries Qt's xcb plugin links to only when this machine has them;
# what it did not find must then be installed on every station (README: Linux libraries).
plugin=dist/StationCRM/_internal/PySide6/Qt/plugins/platforms/libqxcb.so
if [[ -f $plugin ]] && command -v ldd >/dev/null; then
    absent=$(LD_LIBRARY_PATH=dist/StationCRM/_internal ldd "$plugin" | awk '/not found/ {print $1}')
    if [[ -n $absent ]]; then
        echo "build: warning: not in the bundle (missing here too): $(echo $absent)" >&2
    fi
fi
echo "build: dist/StationCRM ($(du -sh dist/StationCRM | cut -f1)) in $(( $(date +%s) - started )) s"
