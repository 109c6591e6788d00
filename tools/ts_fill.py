"""Bring the Chinese translation of the screens up to date.

    .venv/bin/python tools/ts_fill.py [MORE.json ...]

Runs pyside6-lupdate over app/ui, fills every unfinished message from (1) the JSON files
given (``{"English source": "中文", ...}``), then (2) the same source text already
translated in another context, compiles the .qm with pyside6-lrelease, and lists what is
still unfinished (exit status 1 if anything is).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "stationcrm_zh_CN.ts"
QM = TS.with_suffix(".qm")
BIN = Path(sys.executable).parent

_MESSAGE = re.compile(r"<message>(.*?)</message>", re.S)
_SOURCE = re.compile(r"<source>(.*?)</source>", re.S)
_DONE = re.compile(r"<translation>(.*?)</translation>", re.S)
_OPEN = re.compile(r'<translation type="unfinished">(.*?)</translation>', re.S)


def _sources() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app" / "ui").rglob("*.py"))


def main(argv: list[str]) -> int:
    given: dict[str, str] = {}
    for name in argv:
        given.update(json.loads(Path(name).read_text(encoding="utf-8")))
    subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", "-locations", "none",
                    *_sources(), "-ts", str(TS)], cwd=ROOT, check=True, capture_output=True)
    text = TS.read_text(encoding="utf-8")
    known: dict[str, str] = {}
    for body in _MESSAGE.findall(text):
        src, done = _SOURCE.search(body), _DONE.search(body)
        if src and done and done.group(1):
            known.setdefault(html.unescape(src.group(1)), html.unescape(done.group(1)))
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        body = match.group(1)
        src, open_ = _SOURCE.search(body), _OPEN.search(body)
        if not src or not open_:
            return match.group(0)
        source = html.unescape(src.group(1))
        chinese = given.get(source) or known.get(source)
        if not chinese:
            missing.append(source)
            return match.group(0)
        body = body.replace(open_.group(0),
                            f"<translation>{html.escape(chinese, quote=False)}</translation>")
        return f"<message>{body}</message>"

    TS.write_text(_MESSAGE.sub(fill, text), encoding="utf-8")
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)],
                   cwd=ROOT, check=True, capture_output=True)
    for source in missing:
        print(f"unfinished: {source}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
