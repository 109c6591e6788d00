"""Random and hostile input: a ValidationError naming the field, and the database unchanged."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.models import AuditEntry, Contact, Customer
from app.services.customers import ContactDraft, CustomerDraft, create_customer, get_customer
from app.services.errors import ValidationError
from app.services.validation import Checker

FIXTURE_OK = settings(max_examples=40, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])


def _counts(uow) -> tuple[int, int, int]:
    with uow:
        return tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (Customer, Contact, AuditEntry))


@FIXTURE_OK
@given(name=st.text(min_size=0, max_size=300))
def test_any_unicode_name_is_stored_exactly_or_refused_cleanly(uow, sales_user, name):
    before = _counts(uow)
    try:
        made = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name))
    except ValidationError as err:
        assert "name" in err.errors
        assert _counts(uow) == before
        return
    # Single-line fields are trimmed and keep line breaks as spaces.
    expected = name.strip().replace("\r", " ").replace("\n", " ")
    assert get_customer(uow=uow, actor=sales_user, customer_id=made.id).name == expected
    assert _counts(uow)[0] == before[0] + 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "北" * 5000, "bad\x00nul",
                                  "lone\ud800surrogate", "bell\x07"])
def test_impossible_names_are_refused_and_nothing_is_written(uow, sales_user, name):
    with pytest.raises(ValidationError) as err:
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name))
    assert "name" in err.value.errors
    assert _counts(uow) == (0, 0, 0)


@FIXTURE_OK
@given(phone=st.text(min_size=1, max_size=60).filter(
    lambda s: s.strip() and not all(c in "0123456789+-() " for c in s.strip())))
def test_phone_with_letters_is_refused(uow, sales_user, phone):
    with pytest.raises(ValidationError) as err:
        create_customer(uow=uow, actor=sales_user,
                        draft=CustomerDraft(name="北京鑫锐", phone=phone))
    assert "phone" in err.value.errors
    assert _counts(uow) == (0, 0, 0)


def test_contact_birthday_in_future_or_wrong_type_refused(uow, sales_user):
    future = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
            name="北京鑫锐", contacts=(ContactDraft(name="刘", birthday=future),
                                     ContactDraft(name="王", birthday="2026-02-30"))))
    assert set(err.value.errors) == {"contacts[0].birthday", "contacts[1].birthday"}
    assert _counts(uow) == (0, 0, 0)


@given(value=st.one_of(
    st.just(Decimal("NaN")), st.just(Decimal("Infinity")), st.just(Decimal("-Infinity")),
    st.decimals(max_value=Decimal("-0.01"), places=2, allow_nan=False),
    st.decimals(min_value=Decimal("1e13"), allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=True), st.just("12.345"), st.just("abc"), st.just(True),
))
def test_money_refuses_nan_negative_huge_float_and_fractions_of_a_fen(value):
    check = Checker()
    assert check.money("amount", value) is None
    assert "amount" in check.errors
    with pytest.raises(ValidationError):
        check.done()


@given(value=st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999999.99"),
                         places=2))
def test_money_keeps_every_valid_amount_to_the_fen(value):
    check = Checker()
    assert check.money("amount", value) == value
    assert check.money("amount", str(value)) == value
    assert not check.errors


@pytest.mark.parametrize("value", ["2026-13-01", "2026-02-29", "1899-12-31", "0000-00-00",
                                   "tomorrow", 20261126, math.pi])
def test_impossible_dates_refused(value):
    check = Checker()
    assert check.date("day", value) is None
    assert "day" in check.errors
