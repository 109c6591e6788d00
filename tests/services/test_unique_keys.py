"""A unique key the database enforces gives the same clear message as the service's own
look-up, on the field, whichever station loses the race (issue 12, item 3)."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import func, insert, select

from app.models import Product, Role
from app.services.catalog import create_product
from app.services.errors import ValidationError
from app.services.uow import UnitOfWork, translate_db_error, unique_field
from tests.services.test_catalog import TONER


@pytest.mark.parametrize(("message", "field"), [
    ('duplicate key value violates unique constraint "uq_products_sku"\n'
     "DETAIL:  Key (sku)=(HP-CF226A) already exists.", "sku"),
    ("UNIQUE constraint failed: products.sku", "sku"),
    ("Violation of UNIQUE KEY constraint 'uq_products_sku'. Cannot insert duplicate key in"
     " object 'dbo.products'. The duplicate key value is (HP-CF226A).", "sku"),
    ("UNIQUE constraint failed: custom_field_definitions.entity,"
     " custom_field_definitions.code", "code"),
    ("UNIQUE constraint failed: devices.model, devices.serial_number", "serial_number"),
    ('insert or update on table "orders" violates foreign key constraint', None),
    ("NOT NULL constraint failed: products.sku", None),
])
def test_each_engines_wording_names_the_field(message: str, field: str | None) -> None:
    assert unique_field(message) == field


def test_a_real_violation_on_this_engine_becomes_a_validation_error(uow):
    with uow:
        role = uow.session.execute(select(Role.id, Role.code).limit(1)).one()
        with pytest.raises(Exception) as caught:
            uow.session.execute(insert(Role).values(
                code=role.code, name_zh="重复", name_en="Again"))
        error = translate_db_error(caught.value)
    assert isinstance(error, ValidationError)
    assert error.errors == {"code": "already exists"}


def test_stations_adding_the_same_product_at_once_make_one_and_are_told_why(
        uow, engine, manager):
    stations = 6
    barrier = threading.Barrier(stations)
    outcomes: list[object] = []

    def station() -> None:
        unit = UnitOfWork.for_engine(engine)
        try:
            barrier.wait()
            outcomes.append(create_product(uow=unit, actor=manager,
                                           draft=replace(TONER, sku="HP-RACE-88A")))
        except BaseException as exc:  # noqa: BLE001 - inspected below
            outcomes.append(exc)

    threads = [threading.Thread(target=station) for _ in range(stations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with uow:
        made = uow.session.execute(select(func.count()).select_from(Product).where(
            Product.sku == "HP-RACE-88A")).scalar_one()
    assert made == 1 and len(outcomes) == stations
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            # SQLite's single writer may also turn a station away as busy.
            from app.services.errors import ConflictError

            assert isinstance(outcome, (ValidationError, ConflictError)), repr(outcome)
            if isinstance(outcome, ValidationError):
                assert outcome.errors == {"sku": "already exists"}
