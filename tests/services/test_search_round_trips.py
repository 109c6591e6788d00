"""The customer search's page in one round trip on a server (issue 16, item 3).

The permission query and the page itself would be two round trips for every keystroke
pause and every page of a scroll. The page as the actor's last grants make it goes with
the permission query (UnitOfWork.read_ahead) and is used only if the grants the query
returns make the same statement: a changed role is never answered with the old page.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from app.models import Role
from app.models.enums import DataScope, FieldAccess, Module
from app.services.administration import get_role_matrix, save_role_matrix
from app.services.customers import CustomerDraft, create_customer, search_customers
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.roundtrips import counting

# Statements of a warm search: the permission query and the page.
STATEMENTS = 2


@pytest.fixture
def customers(uow: UnitOfWork, sales_user: Actor, other_sales_user: Actor) -> list[int]:
    made = []
    for i, (owner, name, phone) in enumerate([
            (sales_user, "北京鑫锐科技有限公司", "010-62345678"),
            (sales_user, "北京鑫达电子有限公司", "010-62345679"),
            (other_sales_user, "天津鑫源办公设备有限公司", "022-23456789")]):
        made.append(create_customer(uow=uow, actor=owner, draft=CustomerDraft(
            name=name, phone=phone, notes=str(i))).id)
    return made


def _names(page: object) -> list[tuple[str, str | None]]:
    return [(r.name, r.phone) for r in page.rows]  # type: ignore[attr-defined]


def test_a_warm_search_is_one_round_trip_on_a_server(
        uow: UnitOfWork, engine: Engine, sales_user: Actor, customers: list[int]) -> None:
    search = lambda: search_customers(uow=uow, actor=sales_user, text="鑫")  # noqa: E731
    first = search()
    with counting(engine) as trips:
        again = search()
    assert _names(again) == _names(first)
    assert len(first.rows) == 3
    expected = 1 if engine.dialect.name == "postgresql" else STATEMENTS + 2  # BEGIN, COMMIT
    assert trips.count == expected, str(trips)


def test_a_changed_role_is_not_answered_with_the_page_of_the_old_one(
        uow: UnitOfWork, engine: Engine, sales_user: Actor, admin: Actor,
        customers: list[int]) -> None:
    """The search sent ahead was made with the old grants (own customers, phones seen);
    the administrator narrows the role on another station: the next search answers with
    the new grants, on every database."""
    before = search_customers(uow=uow, actor=sales_user, text="鑫")
    assert ("天津鑫源办公设备有限公司", None) in _names(before)  # a colleague's: restricted
    assert ("北京鑫锐科技有限公司", "010-62345678") in _names(before)
    other = UnitOfWork.for_engine(engine)
    with other:
        role_id = other.session.execute(
            select(Role.id).where(Role.code == sales_user.role_code)).scalar_one()
    matrix = get_role_matrix(uow=other, actor=admin, role_id=role_id)
    rules = dict(matrix.field_rules)
    rules[(Module.CUSTOMERS, "phone")] = FieldAccess.HIDDEN
    scopes = dict(matrix.scopes)
    scopes[Module.CUSTOMERS] = DataScope.ALL
    save_role_matrix(uow=other, actor=admin, role_id=role_id,
                     expected_version=matrix.role.version, operations=matrix.operations,
                     scopes=scopes, field_rules=rules)
    after = search_customers(uow=uow, actor=sales_user, text="鑫")
    names = dict(_names(after))
    # Every customer is open now (scope "all")...
    assert not [r for r in after.rows if r.restricted]
    # ...and a colleague's phone is hidden, the own customers' still shown.
    assert names["天津鑫源办公设备有限公司"] is None
    assert names["北京鑫锐科技有限公司"] == "010-62345678"
