"""Labels of the product categories."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.models.enums import ProductCategory

_CATEGORIES: Mapping[ProductCategory, str] = {
    ProductCategory.PRINTER: QT_TRANSLATE_NOOP("ProductCategory", "Printer"),
    ProductCategory.CONSUMABLE: QT_TRANSLATE_NOOP("ProductCategory", "Consumable"),
    ProductCategory.PC: QT_TRANSLATE_NOOP("ProductCategory", "Computer"),
    ProductCategory.PART: QT_TRANSLATE_NOOP("ProductCategory", "Part"),
    ProductCategory.SERVICE: QT_TRANSLATE_NOOP("ProductCategory", "Service"),
}


def category_label(value: ProductCategory | str) -> str:
    return QCoreApplication.translate("ProductCategory", _CATEGORIES[ProductCategory(value)])


def categories() -> list[tuple[ProductCategory, str]]:
    return [(c, category_label(c)) for c in ProductCategory]
