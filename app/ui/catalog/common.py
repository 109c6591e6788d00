"""Labels of the product categories (from the one catalog, app.labels)."""

from __future__ import annotations

from app import labels
from app.models.enums import ProductCategory


def category_label(value: ProductCategory | str) -> str:
    return labels.label(ProductCategory(value))


def categories() -> list[tuple[ProductCategory, str]]:
    return labels.choices(ProductCategory)
