"""The product catalog (产品目录): what is sold, at what cost, price and sales points."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Flag, Money, Points, Text20, Text100, Text200, Text500, Tracked
from app.models.enums import ProductCategory


class Product(Tracked, Base):
    """A catalog item. ``cost_price`` is a protected field most roles never see."""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_category_active", "category", "active"),
        Index("ix_products_model", "model"),
        Index("ix_products_pinyin_initials", "pinyin_initials"),
    )

    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[Text200]
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[ProductCategory]
    brand: Mapped[Text100 | None]
    model: Mapped[Text100 | None]
    unit: Mapped[Text20] = mapped_column(default="台")
    # Deferred: most roles may not read it (a column grant on a secured server), so loading
    # a product never selects it; a service that shows it asks for it.
    cost_price: Mapped[Money] = mapped_column(default=Decimal("0.00"), deferred=True)
    list_price: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    sales_points: Mapped[Points] = mapped_column(default=Decimal("0.00"))
    active: Mapped[Flag] = mapped_column(default=True)
    notes: Mapped[Text500 | None]
