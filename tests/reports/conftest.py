"""Quotations and orders made straight through the ORM, and helpers to read the PDFs back."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from app.models import Order, OrderLine, Product, Quotation, QuotationLine
from app.models.enums import (
    AddressKind,
    CustomerSource,
    OrderStatus,
    ProductCategory,
    QuotationStatus,
)
from app.services.customers import AddressDraft, ContactDraft, CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

SHOTS = Path("/tmp/shots")
# make_quotation / make_order: (owner, **options) -> (id, number)
MakeDoc = Callable[..., tuple[int, str]]
CUSTOMER_NAME = "北京星辰科技发展有限公司"
# A cost nobody else prints: it must never reach the paper.
SECRET_COST = Decimal("777.77")


def line_values(i: int) -> tuple[str, Decimal, Decimal, Decimal, Decimal]:
    """Description, quantity, unit price, discount and total of test line ``i``."""
    description = f"惠普 HP LaserJet Pro M404dn 黑白激光打印机 第{i}项"
    if i % 5 == 0:
        description += "（含上门安装调试、三年保修）"
    quantity = Decimal("1.500") if i % 3 == 0 else Decimal("2.000")
    price = Decimal("1899.00") + i
    discount = Decimal("10.00") if i % 4 == 0 else Decimal("0.00")
    total = (quantity * price * (100 - discount) / 100).quantize(Decimal("0.01"),
                                                                   rounding=ROUND_HALF_UP)
    return description, quantity, price, discount, total


@pytest.fixture
def make_customer(uow: UnitOfWork) -> Callable[[Actor], int]:
    def make(owner: Actor, name: str = CUSTOMER_NAME) -> int:
        detail = create_customer(uow=uow, actor=owner, draft=CustomerDraft(
            name=name, source=CustomerSource.REFERRAL, phone="010-8888 6666",
            contacts=(ContactDraft(name="刘明", mobile="13800138000", is_primary=True),),
            addresses=(AddressDraft(street="建国路88号SOHO现代城A座2201", city="北京市",
                                    district="朝阳区", kind=AddressKind.OFFICE,
                                    is_default=True),),
        ))
        return detail.id

    return make


@pytest.fixture
def product_id(uow: UnitOfWork) -> int:
    with uow:
        product = Product(sku="HP-M404DN", name="HP LaserJet Pro M404dn",
                          category=ProductCategory.PRINTER, unit="台",
                          cost_price=SECRET_COST, list_price=Decimal("1999.00"))
        uow.session.add(product)
        uow.commit()
        return product.id


@pytest.fixture
def make_quotation(
    uow: UnitOfWork, make_customer: Callable[[Actor], int], product_id: int
) -> Callable[..., tuple[int, str]]:
    counter = iter(range(1, 1000))

    def make(owner: Actor, *, lines: int = 5, customer_id: int | None = None,
             terms: str | None = "1. 价格含13%增值税专用发票。\n2. 交货期：合同签订后5个工作日。",
             notes: str | None = "客户要求周五前送货。") -> tuple[int, str]:
        customer = customer_id or make_customer(owner)
        number = f"BJ-20261126-{next(counter):04d}"
        with uow:
            quotation = Quotation(number=number, customer_id=customer, owner_id=owner.user_id,
                                  status=QuotationStatus.SENT, quoted_on=dt.date(2026, 11, 26),
                                  valid_until=dt.date(2026, 12, 26), terms=terms, notes=notes)
            total = Decimal("0.00")
            for i in range(1, lines + 1):
                description, quantity, price, discount, line_total = line_values(i)
                quotation.lines.append(QuotationLine(
                    position=i, product_id=product_id if i % 2 else None,
                    description=description, quantity=quantity, unit_price=price,
                    discount_percent=discount, line_total=line_total))
                total += line_total
            quotation.total_amount = total
            uow.session.add(quotation)
            uow.commit()
            return quotation.id, number

    return make


@pytest.fixture
def make_order(
    uow: UnitOfWork, make_customer: Callable[[Actor], int], product_id: int
) -> Callable[..., tuple[int, str]]:
    counter = iter(range(1, 1000))

    def make(owner: Actor, *, lines: int = 5, customer_id: int | None = None,
             delivery_address: str | None = None) -> tuple[int, str]:
        customer = customer_id or make_customer(owner)
        number = f"XS-20261126-{next(counter):04d}"
        with uow:
            order = Order(number=number, customer_id=customer, owner_id=owner.user_id,
                          status=OrderStatus.CONFIRMED, ordered_on=dt.date(2026, 11, 26),
                          due_on=dt.date(2026, 11, 30), customer_source=CustomerSource.REFERRAL,
                          delivery_address=delivery_address, notes="送货前电话联系")
            total = Decimal("0.00")
            for i in range(1, lines + 1):
                description, quantity, price, discount, line_total = line_values(i)
                order.lines.append(OrderLine(
                    position=i, product_id=product_id, description=description,
                    quantity=quantity, unit_price=price, discount_percent=discount,
                    line_total=line_total, unit_cost=SECRET_COST,
                    line_cost=SECRET_COST * quantity))
                total += line_total
            order.total_amount = total
            order.total_cost = SECRET_COST * lines
            uow.session.add(order)
            uow.commit()
            return order.id, number

    return make


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} (poppler-utils) is not installed")
    return path


def pdf_text(pdf: Path) -> list[str]:
    """The text of each page, via pdftotext (skips the test if poppler is missing)."""
    result = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"],
                            capture_output=True, text=True, check=True, timeout=60)
    pages = result.stdout.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_fonts(pdf: Path) -> list[list[str]]:
    result = subprocess.run([_tool("pdffonts"), str(pdf)], capture_output=True, text=True,
                            check=True, timeout=60)
    return [line.split() for line in result.stdout.splitlines()[2:]]


def pdf_page_size(pdf: Path) -> tuple[float, float]:
    """Width and height of the first page in points, from pdfinfo."""
    result = subprocess.run([_tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                            check=True, timeout=60)
    line = next(line for line in result.stdout.splitlines() if line.startswith("Page size"))
    words = line.split()
    return float(words[2]), float(words[4])


def page_png(pdf: Path, name: str) -> Path:
    """Page 1 as a PNG at 80 dpi in /tmp/shots/, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    root = SHOTS / name
    subprocess.run([_tool("pdftoppm"), "-png", "-r", "80", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(root)], check=True, timeout=60)
    return root.with_suffix(".png")
