"""Translation of the interface: our zh_CN catalog and Qt's own, when Chinese is chosen.

Labels of codes (statuses, kinds, actions) come from ``app.labels`` through ``app.i18n``,
not from Qt's catalog, so installing a language sets ``app.i18n`` to it too: the words of
the screens and those of services, audit entries and errors can never disagree.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app import i18n
from app.paths import resource

log = logging.getLogger(__name__)

CATALOG_BASENAME = "stationcrm"

# The translators this module installed, so switching language removes the previous ones.
_installed: list[QTranslator] = []


def normalise_language(language: str | None) -> str:
    """``"zh"`` or ``"en"``: an explicit choice wins, otherwise the system locale decides."""
    chosen = (language or "").strip() or QLocale.system().name()
    return "zh" if chosen.lower().replace("-", "_").startswith("zh") else "en"


def program_locale(language: str) -> QLocale:
    """The locale of the program's language: Chinese is zh_CN (一月, 周一, the week from
    Monday); English keeps the PC's country where Qt knows English for it."""
    if language == "zh":
        return QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    english = QLocale(QLocale.Language.English, QLocale.system().territory())
    if english.language() != QLocale.Language.English:
        english = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return english


def set_default_locale(language: str) -> None:
    """Every widget made from now on — the calendar of each date field above all — speaks
    the program's language instead of the operating system's (a Chinese program on an
    English Windows showed January and a Sunday-first week)."""
    QLocale.setDefault(program_locale(language))


def translations_dir() -> Path:
    return resource("translations")


def install_translator(
    app: QCoreApplication, language: str | None, *, directory: Path | None = None
) -> str:
    """Install the interface translation for ``language`` and return ``"zh"`` or ``"en"``.

    Chinese loads ``stationcrm_zh_CN.qm`` from ``resources/translations`` (when it has been
    built) and Qt's own ``qtbase_zh_CN.qm`` for standard buttons and dialogs. English is the
    source language and needs no catalog. ``app.i18n`` follows the same choice.
    """
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    resolved = normalise_language(language)
    i18n.set_language(resolved)
    set_default_locale(resolved)
    if resolved != "zh":
        return resolved
    folder = directory or translations_dir()
    ours = QTranslator(app)
    if ours.load(f"{CATALOG_BASENAME}_zh_CN", str(folder)):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.info("No interface translation %s_zh_CN.qm in %s", CATALOG_BASENAME, folder)
    qt_own = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load("qtbase_zh_CN", qt_dir):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return resolved
