"""Tried as a person with psql and a station's address would: the database itself refuses.

Each test connects with a person's own database login (what any SQL tool gets) and checks
what PostgreSQL lets through — not what StationCRM's services would allow.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, or_, select, text

from app.i18n import set_language
from app.models import (
    CareItem,
    Contact,
    Customer,
    Opportunity,
    Order,
    Quotation,
    SalesPlan,
    ServiceTicket,
    User,
    Visit,
)
from app.models.enums import Module
from app.services.audit import render_summary
from app.services.auth import actor_for, login_principal
from app.services.errors import AuthenticationFailed
from app.services.permissions import Actor, scope_filter
from app.services.uow import UnitOfWork

pytestmark = pytest.mark.pg_only

Psql = Callable[[str], psycopg.Connection[Any]]


def refused(connection: psycopg.Connection[Any], sql: str) -> str:
    """The error PostgreSQL answers ``sql`` with (the test fails if it runs)."""
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(sql)
    return str(caught.value)


def rows(connection: psycopg.Connection[Any], sql: str, *args: Any) -> list[tuple[Any, ...]]:
    return connection.execute(sql, args or None).fetchall()


def actor(owner_engine: Engine, username: str) -> Actor:
    from app.models import Role

    with UnitOfWork.for_engine(owner_engine) as uow:
        user, code = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.username == username)).one()
        return actor_for(user, code, None)


# --- a counter clerk with psql -----------------------------------------------------------------


def test_a_clerk_cannot_read_hashes_or_raise_their_own_rights(psql: Psql) -> None:
    clerk = psql("clerk1")
    assert "permission denied" in refused(clerk, "SELECT password_hash FROM users")
    assert "permission denied" in refused(clerk, "SELECT * FROM users")
    # Colleagues' names are readable; that is what every list shows.
    assert len(rows(clerk, "SELECT id, username, display_name FROM users")) >= 13
    assert "permission denied" in refused(
        clerk, "UPDATE users SET role_id = (SELECT id FROM roles WHERE code = 'administrator')"
               " WHERE username = 'clerk1'")
    assert "permission denied" in refused(clerk, "UPDATE roles SET name_en = 'x'")
    assert "permission denied" in refused(
        clerk, "INSERT INTO role_permissions (role_id, module, operation)"
               " SELECT id, 'administration', 'create' FROM roles WHERE code = 'counter_clerk'")
    assert "permission denied" in refused(clerk, "DELETE FROM role_field_rules")
    assert "permission denied" in refused(clerk, "SELECT crmsec.apply_role(1)")
    assert "permission denied" in refused(
        clerk, "SELECT crmsec.save_principal('clerk1', NULL)")


def test_a_clerk_cannot_rewrite_or_read_the_audit_log(psql: Psql, owner_engine: Engine) -> None:
    clerk = psql("clerk1")
    with owner_engine.begin() as conn:
        before = conn.execute(text("SELECT count(*), max(id) FROM audit_log")).one()
    assert "permission denied" in refused(clerk, "UPDATE audit_log SET summary = 'nothing'")
    assert "permission denied" in refused(clerk, "DELETE FROM audit_log")
    assert "permission denied" in refused(clerk, "TRUNCATE audit_log")
    with owner_engine.begin() as conn:
        assert conn.execute(text("SELECT count(*), max(id) FROM audit_log")).one() == before
        # The log has entries of other kinds and of customers outside the clerk's scope.
        conn.execute(text(
            "INSERT INTO audit_log (at, action, entity, entity_id, summary) VALUES"
            " (now(), 'update', 'user', 1, 'role changed'),"
            " (now(), 'update', 'customer', :theirs, 'their customer'),"
            " (now(), 'update', 'customer', :mine, 'my customer')"),
            {"theirs": _customer_of(conn, "sales1"), "mine": _customer_of(conn, "clerk1")})
    # Reading: only the change history of the clerk's own customers (the 360 view).
    seen = rows(clerk, "SELECT summary FROM audit_log")
    assert ("my customer",) in seen
    assert ("their customer",) not in seen and ("role changed",) not in seen


def _customer_of(conn: Any, username: str) -> int:
    return int(conn.execute(text(
        "SELECT c.id FROM customers c JOIN users u ON u.id = c.owner_id"
        " WHERE u.username = :name ORDER BY c.id LIMIT 1"), {"name": username}).scalar_one())


def test_the_audit_trigger_is_a_second_wall_even_with_a_grant(
        owner_engine: Engine, psql: Psql, login_of: Callable[[str], str]) -> None:
    """Had a DBA granted UPDATE by mistake, the trigger still refuses."""
    login = login_of("clerk2")
    with owner_engine.begin() as conn:
        conn.execute(text(f'GRANT SELECT, UPDATE, DELETE ON audit_log TO "{login}"'))
    try:
        clerk = psql("clerk2")
        assert "cannot be changed or deleted" in refused(
            clerk, "UPDATE audit_log SET summary = 'x'")
        assert "cannot be changed or deleted" in refused(clerk, "DELETE FROM audit_log")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text(f'REVOKE ALL ON audit_log FROM "{login}"'))


def test_a_clerk_reads_no_cost_price(psql: Psql) -> None:
    clerk = psql("clerk1")
    assert "permission denied" in refused(clerk, "SELECT cost_price FROM products")
    assert "permission denied" in refused(clerk, "SELECT * FROM products")
    assert "permission denied" in refused(clerk, "SELECT unit_cost FROM order_lines")
    assert "permission denied" in refused(clerk, "SELECT total_cost FROM orders")
    assert rows(clerk, "SELECT count(*) FROM products WHERE list_price > 0")[0][0] > 0
    # The general manager's role hides nothing.
    assert rows(psql("manager"), "SELECT count(cost_price) FROM products")[0][0] > 0


def test_select_star_from_customers_returns_only_the_clerks_scope(
        psql: Psql, owner_engine: Engine) -> None:
    clerk = actor(owner_engine, "clerk1")
    with owner_engine.begin() as conn:
        storefront = set(conn.execute(
            select(Customer.id).join(User, User.id == Customer.owner_id)
            .where(User.department_id == clerk.department_id)).scalars())
        everyone = conn.execute(select(Customer.id)).scalars().all()
    seen = {row[0] for row in rows(psql("clerk1"), "SELECT * FROM customers")}
    assert seen == storefront
    assert 0 < len(seen) < len(everyone)


# --- a salesperson with psql ----------------------------------------------------------------


def test_no_query_reads_another_salespersons_customers_phones(
        psql: Psql, owner_engine: Engine) -> None:
    sales1 = actor(owner_engine, "sales1")
    with owner_engine.begin() as conn:
        theirs = conn.execute(
            select(Customer.id, Customer.phone_digits)
            .where(Customer.owner_id != sales1.user_id, Customer.phone_digits.is_not(None))
        ).all()
        their_contacts = conn.execute(
            select(Contact.mobile_digits).join(Customer, Customer.id == Contact.customer_id)
            .where(Customer.owner_id != sales1.user_id, Contact.mobile_digits.is_not(None))
        ).scalars().all()
    assert theirs and their_contacts
    sales = psql("sales1")
    phones = {row[0] for row in rows(sales, "SELECT phone_digits FROM customers")}
    phones |= {row[0] for row in rows(
        sales, "SELECT phone_digits FROM contacts UNION SELECT mobile_digits FROM contacts")}
    assert phones.isdisjoint({digits for _, digits in theirs} | set(their_contacts))
    # The directory: every customer's name and owner, and no phone column to ask for.
    directory = rows(sales, "SELECT id, name, owner_id FROM customer_directory")
    assert {row[0] for row in directory} >= {cid for cid, _ in theirs}
    assert "does not exist" in refused(sales, "SELECT phone FROM customer_directory")
    assert "does not exist" in refused(sales, "SELECT phone_digits FROM customer_directory")
    # Digit by digit from the duplicate check: a fragment answers nothing.
    fragment = theirs[0][1][:5]
    assert rows(sales, "SELECT * FROM crmsec.customers_with_phone(%s)", fragment) == []
    assert rows(sales, "SELECT * FROM crmsec.customers_with_phone(%s)", fragment + "%") == []


def test_custom_field_values_are_seen_with_their_record_only(
        psql: Psql, owner_engine: Engine) -> None:
    from app.models import CustomFieldDefinition, CustomFieldValue

    sales1 = actor(owner_engine, "sales1")
    with owner_engine.begin() as conn:
        mine = conn.execute(select(Customer.id).where(Customer.owner_id == sales1.user_id)
                            .order_by(Customer.id).limit(1)).scalar_one()
        theirs = conn.execute(select(Customer.id).where(Customer.owner_id != sales1.user_id)
                              .order_by(Customer.id).limit(1)).scalar_one()
        definition = conn.execute(CustomFieldDefinition.__table__.insert().values(
            entity="customer", code="sec_probe", label_zh="探针", label_en="Probe",
            kind="text", required=False, position=99, active=True, version=1,
        ).returning(CustomFieldDefinition.__table__.c.id)).scalar_one()
        conn.execute(CustomFieldValue.__table__.insert(), [
            {"definition_id": definition, "entity": "customer", "record_id": cid,
             "value_text": f"v{cid}"} for cid in (mine, theirs)])
    try:
        seen = {row[0] for row in rows(psql("sales1"), "SELECT record_id FROM"
                                       " custom_field_values WHERE definition_id = %s",
                                       definition)}
        assert seen == {mine}
    finally:
        with owner_engine.begin() as conn:
            conn.execute(CustomFieldValue.__table__.delete().where(
                CustomFieldValue.__table__.c.definition_id == definition))
            conn.execute(CustomFieldDefinition.__table__.delete().where(
                CustomFieldDefinition.__table__.c.id == definition))


def test_with_phones_hidden_a_clerk_reads_and_edits_only_its_own_customers_numbers(
        psql: Psql, owner_engine: Engine) -> None:
    """The role editor hides "phone numbers of others' customers" from counter clerks: the
    database takes the phone columns away, the phone views show the clerk's own customers'
    numbers, and a trigger refuses changing a colleague's customer's number."""
    from app.models import RoleFieldRule

    clerk = actor(owner_engine, "clerk1")
    rules = RoleFieldRule.__table__
    with owner_engine.begin() as conn:
        role_id = conn.execute(select(User.role_id).where(User.id == clerk.user_id)
                               ).scalar_one()
        mine = conn.execute(select(Customer.id, Customer.phone)
                            .where(Customer.owner_id == clerk.user_id).order_by(Customer.id)
                            ).all()
        theirs = conn.execute(
            select(Customer.id).join(User, User.id == Customer.owner_id)
            .where(User.department_id == clerk.department_id,
                   Customer.owner_id != clerk.user_id).order_by(Customer.id).limit(1)
        ).scalar_one()
        conn.execute(rules.insert().values(role_id=role_id, module="customers",
                                           field="phone", access="hidden"))
        conn.execute(text("SELECT crmsec.apply_role(:r)"), {"r": role_id})
    assert mine
    own_id, own_phone = mine[0]
    try:
        c = psql("clerk1")
        assert "permission denied" in refused(c, "SELECT phone FROM customers")
        assert "permission denied" in refused(c, "SELECT mobile FROM contacts")
        # The colleague's customer itself is still in the clerk's (department) scope.
        assert rows(c, "SELECT id FROM customers WHERE id = %s", theirs) == [(theirs,)]
        assert {r[0] for r in rows(c, "SELECT id FROM customer_phones")} == {
            cid for cid, _ in mine}
        assert rows(c, "SELECT phone FROM customer_phones WHERE id = %s", own_id) == [
            (own_phone,)]
        assert {r[0] for r in rows(c, "SELECT DISTINCT owner_id FROM contact_phones")} <= {
            clerk.user_id}
        # The clerk edits its own customer's number; not a colleague's.
        c.execute("UPDATE customers SET phone = '010-66668888' WHERE id = %s", (own_id,))
        assert "do not own" in refused(
            c, f"UPDATE customers SET phone = '010-66668888' WHERE id = {theirs}")
        assert "do not own" in refused(
            c, f"UPDATE contacts SET mobile = '13900000000' WHERE customer_id = {theirs}")
        # Renaming its customer rewrites the sort key its numbers' suffixes carry
        # (search_keys.keep_customer), which needs no phone column: here to the same key.
        moved = c.execute("UPDATE phone_suffixes SET sort_key = d.sort_key"
                          " FROM customer_directory d WHERE d.id = phone_suffixes.customer_id"
                          " AND phone_suffixes.customer_id = %s", (own_id,))
        assert moved.rowcount > 0
    finally:
        with owner_engine.begin() as conn:
            conn.execute(rules.delete().where(rules.c.role_id == role_id,
                                              rules.c.module == "customers"))
            conn.execute(text("SELECT crmsec.apply_role(:r)"), {"r": role_id})
            conn.execute(text("UPDATE customers SET phone = :p WHERE id = :i"),
                         {"p": own_phone, "i": own_id})


def test_the_phone_lookup_answers_a_whole_number_with_name_and_owner_and_is_audited(
        psql: Psql, owner_engine: Engine, login_of: Callable[[str], str]) -> None:
    sales1 = actor(owner_engine, "sales1")
    with owner_engine.begin() as conn:
        cid, name, owner, digits = conn.execute(
            select(Customer.id, Customer.name, Customer.owner_id, Customer.phone_digits)
            .where(Customer.owner_id != sales1.user_id, Customer.phone_digits.is_not(None))
            .order_by(Customer.id).limit(1)).one()
    found = rows(psql("sales1"), "SELECT * FROM crmsec.customers_with_phone(%s)", digits)
    assert (cid, name, owner) in found
    assert all(len(row) == 3 for row in found)
    with owner_engine.begin() as conn:
        audited = conn.execute(text(
            "SELECT user_id, db_principal, summary FROM audit_log"
            " WHERE action = 'phone_lookup' ORDER BY id DESC")).first()
    assert audited is not None
    assert audited.user_id == sales1.user_id
    assert digits in audited.summary and login_of("sales1") in audited.summary


def test_the_entries_the_database_writes_read_in_the_readers_language(
        psql: Psql, owner_engine: Engine, login_of: Callable[[str], str]) -> None:
    # The phone lookup and a change made outside StationCRM are written by the server, in
    # English text; their templates let a Chinese station's log read them in Chinese.
    sales1 = actor(owner_engine, "sales1")
    with owner_engine.begin() as conn:
        cid, digits = conn.execute(
            select(Customer.id, Customer.phone_digits)
            .where(Customer.owner_id == sales1.user_id, Customer.phone_digits.is_not(None))
            .order_by(Customer.id).limit(1)).one()
    rows(psql("sales1"), "SELECT * FROM crmsec.customers_with_phone(%s)", digits)
    psql("sales1").execute("UPDATE customers SET notes = '外部修改' WHERE id = %s", (cid,))
    with owner_engine.begin() as conn:
        lookup = conn.execute(text(
            "SELECT summary, summary_data FROM audit_log WHERE action = 'phone_lookup'"
            " ORDER BY id DESC")).first()
        outside = conn.execute(text(
            "SELECT summary, summary_data FROM audit_log WHERE action = 'db_change'"
            " AND entity = 'customers' AND entity_id = :id ORDER BY id DESC"), {"id": cid}).first()
    assert lookup is not None and outside is not None
    set_language("en")
    assert render_summary("", lookup.summary_data) == lookup.summary
    assert render_summary("", outside.summary_data) == outside.summary
    set_language("zh")
    try:
        assert render_summary("", lookup.summary_data) == (
            f"按电话号码 {digits} 查询客户（数据库登录 {login_of('sales1')}）")
        assert render_summary("", outside.summary_data) == (
            f"UPDATE customers #{cid}：数据库登录 {login_of('sales1')} 在 StationCRM 之外所做")
    finally:
        set_language("en")


def test_a_change_made_with_psql_is_audited_with_the_login_that_made_it(
        psql: Psql, owner_engine: Engine, login_of: Callable[[str], str]) -> None:
    sales1 = actor(owner_engine, "sales1")
    with owner_engine.begin() as conn:
        cid = conn.execute(select(Customer.id).where(Customer.owner_id == sales1.user_id)
                           .order_by(Customer.id).limit(1)).scalar_one()
    done = psql("sales1").execute(
        "UPDATE customers SET notes = 'changed outside StationCRM' WHERE id = %s", (cid,))
    assert done.rowcount == 1
    with owner_engine.begin() as conn:
        entry = conn.execute(text(
            "SELECT user_id, action, entity, entity_id, db_principal, summary, changes"
            " FROM audit_log WHERE entity = 'customers' AND entity_id = :id"
            " ORDER BY id DESC"), {"id": cid}).first()
    assert entry is not None
    assert (entry.action, entry.user_id, entry.db_principal) == (
        "db_change", sales1.user_id, login_of("sales1"))
    assert login_of("sales1") in entry.summary
    assert '"changed outside StationCRM"' in entry.changes


def test_a_change_through_stationcrm_is_not_reported_as_outside(
        person_engine: Callable[[str], Engine], owner_engine: Engine,
        login_of: Callable[[str], str]) -> None:
    from app.services.customers import get_customer, update_customer

    uow = UnitOfWork.for_engine(person_engine("sales2"))
    me = login_principal(uow=uow, username="sales2")
    with owner_engine.begin() as conn:
        cid = conn.execute(select(Customer.id).where(Customer.owner_id == me.user_id)
                           .order_by(Customer.id).limit(1)).scalar_one()
        last = conn.execute(text("SELECT max(id) FROM audit_log")).scalar_one()
    card = get_customer(uow=uow, actor=me, customer_id=cid)
    update_customer(uow=uow, actor=me, customer_id=cid, expected_version=card.version,
                    draft=dataclasses.replace(card.to_draft(), notes="跟进：下周回访"))
    with owner_engine.begin() as conn:
        written = conn.execute(text(
            "SELECT action, db_principal FROM audit_log WHERE id > :last"), {"last": last}
        ).all()
    assert ("update", login_of("sales2")) in [tuple(r) for r in written]
    assert "db_change" not in {r.action for r in written}


# --- the principal and the users table out of step ------------------------------------------


def test_a_login_out_of_step_with_its_role_gets_one_message_naming_the_fix(
        owner_engine: Engine, person_engine: Callable[[str], Engine],
        secured_url: Any, login_of: Callable[[str], str]) -> None:
    group = f"{secured_url.database}_technician"
    with owner_engine.begin() as conn:
        conn.execute(text(f'REVOKE "{group}" FROM "{login_of("tech3")}"'))
    try:
        with pytest.raises(AuthenticationFailed, match="stationcrm db security"):
            login_principal(uow=UnitOfWork.for_engine(person_engine("tech3")),
                            username="tech3")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text(f'GRANT "{group}" TO "{login_of("tech3")}"'))
    assert login_principal(uow=UnitOfWork.for_engine(person_engine("tech3")),
                           username="tech3").username == "tech3"


def test_a_login_without_a_user_gets_one_message_naming_the_fix(
        owner_engine: Engine, secured_url: Any) -> None:
    from app.db import make_engine

    stray = f"{secured_url.database}_u_nobody"
    with owner_engine.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{stray}" LOGIN'))
        conn.execute(text(f'GRANT "{secured_url.database}_sales" TO "{stray}"'))
    engine = make_engine(secured_url.set(username=stray, password="x"))
    try:
        with pytest.raises(AuthenticationFailed, match="not a StationCRM user.*db security"):
            login_principal(uow=UnitOfWork.for_engine(engine), username="nobody")
    finally:
        engine.dispose()
        with owner_engine.begin() as conn:
            conn.execute(text(f'DROP ROLE "{stray}"'))


# --- data scope: the database agrees with the service layer, role by role ------------------

_SCOPED: list[tuple[str, Module, Any]] = [
    ("customers", Module.CUSTOMERS, Customer.owner_id),
    ("visits", Module.VISITS, Visit.owner_id),
    ("opportunities", Module.OPPORTUNITIES, Opportunity.owner_id),
    ("quotations", Module.QUOTATIONS, Quotation.owner_id),
    ("orders", Module.ORDERS, Order.owner_id),
    ("sales_plans", Module.SALES_PLANS, SalesPlan.owner_id),
    ("care_items", Module.CARE, CareItem.owner_id),
]
_TABLES = {"customers": Customer, "visits": Visit, "opportunities": Opportunity,
           "quotations": Quotation, "orders": Order, "sales_plans": SalesPlan,
           "care_items": CareItem}


@pytest.mark.parametrize("username", ["clerk1", "sales1", "tech1", "lead1", "office1",
                                      "manager", "admin"])
def test_rows_each_person_sees_are_the_rows_their_data_scope_gives(
        username: str, psql: Psql, owner_engine: Engine) -> None:
    person = actor(owner_engine, username)
    connection = psql(username)
    uow = UnitOfWork.for_engine(owner_engine)
    with uow:
        for table, module, column in _SCOPED:
            expected = set(uow.session.execute(
                select(_TABLES[table].id).where(scope_filter(uow, person, module, column))
            ).scalars())
            try:
                seen = {row[0] for row in rows(connection, f"SELECT id FROM {table}")}
            except psycopg.errors.InsufficientPrivilege:
                seen = None
            if seen is None:
                assert not _may_read(uow, person, module), (username, table)
                continue
            if table == "customers" or _may_read(uow, person, module):
                assert seen == expected, (username, table)
        expected_tickets = set(uow.session.execute(select(ServiceTicket.id).where(or_(
            scope_filter(uow, person, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
            scope_filter(uow, person, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id))
        )).scalars())
    try:
        tickets = {row[0] for row in rows(connection, "SELECT id FROM service_tickets")}
    except psycopg.errors.InsufficientPrivilege:
        return
    assert tickets == expected_tickets, username


def _may_read(uow: UnitOfWork, person: Actor, module: Module) -> bool:
    from app.models.enums import Operation
    from app.services.permissions import grants_for

    grants = grants_for(uow, person)
    return grants.allows(module, Operation.VIEW) or grants.allows(module, Operation.CREATE) \
        or grants.allows(Module.STATISTICS, Operation.VIEW)


def test_a_prefix_too_long_for_postgresql_is_refused_and_nothing_changes(
        owner_engine: Engine, login_of: Callable[[str], str]) -> None:
    from app.security.principals import SecurityError, secure_database

    with pytest.raises(SecurityError, match="longer than PostgreSQL's 63 bytes"):
        secure_database(owner_engine, principal_prefix="p" * 60)
    with owner_engine.connect() as conn:
        kept = conn.execute(text(
            "SELECT value FROM crmsec.config WHERE key = 'principal_prefix'")).scalar_one()
    assert login_of("clerk1") == f"{kept}clerk1"


def test_the_duplicate_check_finds_other_peoples_customers_by_name_and_whole_phone(
        person_engine: Callable[[str], Engine], owner_engine: Engine) -> None:
    from app.services.customers import find_duplicates

    uow = UnitOfWork.for_engine(person_engine("sales1"))
    me = login_principal(uow=uow, username="sales1")
    with owner_engine.begin() as conn:
        name, digits, owner = conn.execute(
            select(Customer.name, Customer.phone_digits, User.display_name)
            .join(User, User.id == Customer.owner_id)
            .where(Customer.owner_id != me.user_id, Customer.phone_digits.is_not(None))
            .order_by(Customer.id).limit(1)).one()
    by_name = find_duplicates(uow=uow, actor=me, name=name)
    hit = next(h for h in by_name if h.name == name)
    # Row security hides the row; the directory still says whose customer it is.
    assert (hit.restricted, hit.owner_name, hit.phone) == (True, owner, None)
    by_phone = find_duplicates(uow=uow, actor=me, phone=digits)
    assert [(h.name, h.reasons, h.phone) for h in by_phone] == [(name, ("same_phone",), None)]
    assert find_duplicates(uow=uow, actor=me, phone=digits[:5]) == ()


def test_any_customer_may_hand_in_a_device_at_the_counter(
        person_engine: Callable[[str], Engine], owner_engine: Engine, psql: Psql) -> None:
    from app.models import Device
    from app.services.errors import ValidationError
    from app.services.tickets import IntakeDraft, NewDevice, intake_ticket

    uow = UnitOfWork.for_engine(person_engine("clerk2"))
    clerk = login_principal(uow=uow, username="clerk2")
    with owner_engine.begin() as conn:
        key_account = _customer_of(conn, "sales3")
        taken_model, taken_serial = conn.execute(
            select(Device.model, Device.serial_number)
            .join(Customer, Customer.id == Device.customer_id)
            .join(User, User.id == Customer.owner_id)
            .where(User.username == "sales4", Device.serial_number.is_not(None))
            .order_by(Device.id).limit(1)).one()
    # The key account is outside the counter's scope: its card stays closed to the clerk...
    assert rows(psql("clerk2"), "SELECT id FROM customers WHERE id = %s", key_account) == []
    # ...but it may hand in a printer, and the ticket is the clerk's.
    ticket = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=key_account, symptoms="卡纸，打印有黑线",
        new_device=NewDevice(brand="HP", model="M404dn", serial_number="SEC-TEST-0001")))
    assert ticket.customer_id == key_account
    # A machine (model and serial) already registered to another salesperson's customer
    # is still caught.
    with pytest.raises(ValidationError, match="already registered"):
        intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
            customer_id=key_account, symptoms="不开机",
            new_device=NewDevice(brand="HP", model=taken_model, serial_number=taken_serial)))



def test_request_keys_are_each_persons_own_and_never_rewritten(
        psql: Psql, owner_engine: Engine) -> None:
    sales1, sales2 = actor(owner_engine, "sales1"), actor(owner_engine, "sales2")
    mine, theirs = psql("sales1"), psql("sales2")
    mine.execute("INSERT INTO request_keys (key, entity, record_id, user_id, created_at)"
                 " VALUES ('psql-probe-key-1', 'payment', 1, %s, now())", (sales1.user_id,))
    try:
        assert rows(mine, "SELECT key FROM request_keys WHERE key = 'psql-probe-key-1'") == [
            ("psql-probe-key-1",)]
        # Another salesperson neither sees it nor can take it over.
        assert rows(theirs, "SELECT key FROM request_keys") == []
        assert "permission denied" in refused(
            theirs, f"UPDATE request_keys SET user_id = {sales2.user_id}")
        assert "permission denied" in refused(mine, "DELETE FROM request_keys")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM request_keys WHERE key = 'psql-probe-key-1'"))
