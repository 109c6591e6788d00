"""The audit log viewer: filters, keyset paging, before/after rows, and no way to change it."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from dataclasses import replace
from decimal import Decimal as D

import pytest

import app.services
from app.models import AuditEntry, utcnow
from app.models.enums import AuditAction, ProductCategory
from app.services import audit
from app.services.audit_view import AuditFilters, decode_changes, list_audit
from app.services.catalog import ProductDraft, create_product, get_product, update_product
from app.services.customers import CustomerDraft, create_customer, update_customer
from app.services.errors import PermissionDenied, ValidationError


def test_filters_by_user_entity_and_record_with_before_after(uow, admin, clerk, manager):
    made = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户",
                                                                     phone="13811112222"))
    other = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="天津海河电子"))
    update_customer(uow=uow, actor=clerk, customer_id=made.id, expected_version=made.version,
                    draft=replace(made.to_draft(), phone="13899990000"))

    mine = list_audit(uow=uow, actor=admin, filters=AuditFilters(user_id=clerk.user_id))
    assert [r.action for r in mine.rows] == [AuditAction.UPDATE, AuditAction.CREATE]
    assert all(r.user_name == "门市小王" for r in mine.rows)
    change = {c.field: c for c in mine.rows[0].changes}["phone"]
    assert (change.before, change.after) == ("13811112222", "13899990000")
    created = {c.field: c for c in mine.rows[1].changes}
    assert created["name"].before is None and created["name"].after == "海淀零售客户"

    record = list_audit(uow=uow, actor=admin, filters=AuditFilters(entity="customer",
                                                                  entity_id=other.id))
    assert [r.entity_id for r in record.rows] == [other.id]
    assert list_audit(uow=uow, actor=admin, filters=AuditFilters(entity="order")).rows == ()


def test_date_range_and_keyset_paging(uow, admin, clerk):
    now = utcnow()
    with uow:
        for days in range(5):
            audit.record(uow, clerk, AuditAction.UPDATE, "customer", 1, f"day -{days}",
                         at=now - dt.timedelta(days=days))
        uow.commit()
    today = dt.datetime.now().date()
    recent = list_audit(uow=uow, actor=admin, filters=AuditFilters(
        date_from=today - dt.timedelta(days=1), date_to=today))
    assert [r.summary for r in recent.rows] == ["day -0", "day -1"]
    first = list_audit(uow=uow, actor=admin, limit=2)
    assert [r.summary for r in first.rows] == ["day -0", "day -1"]
    assert first.next_before is not None
    second = list_audit(uow=uow, actor=admin, limit=2, before=first.next_before)
    third = list_audit(uow=uow, actor=admin, limit=2, before=second.next_before)
    assert [r.summary for r in second.rows + third.rows] == ["day -2", "day -3", "day -4"]
    assert third.next_before is None


def test_a_date_range_ending_before_it_starts_is_refused(uow, admin):
    today = dt.date.today()
    with pytest.raises(ValidationError) as err:
        list_audit(uow=uow, actor=admin, filters=AuditFilters(
            date_from=today, date_to=today - dt.timedelta(days=3)))
    assert set(err.value.errors) == {"date_to"}


def test_only_administration_may_read_the_log(uow, admin, manager, clerk):
    for actor in (manager, clerk):
        with pytest.raises(PermissionDenied):
            list_audit(uow=uow, actor=actor)


def test_cost_in_the_log_stays_hidden_from_a_reader_whose_role_hides_it(
        uow, admin, manager, make_user):
    from sqlalchemy import select

    from app.models import Role
    from app.models.enums import FieldAccess, Module
    from app.services import administration as adm

    product = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category=ProductCategory.CONSUMABLE,
        cost_price=D("80.00"), list_price=D("199.00")))
    seen = get_product(uow=uow, actor=manager, product_id=product.id)
    update_product(uow=uow, actor=manager, product_id=product.id,
                   expected_version=seen.version,
                   draft=ProductDraft(sku="HP-CF226A", name="惠普硒鼓",
                                      category=ProductCategory.CONSUMABLE,
                                      cost_price=D("87.65"), list_price=D("199.00")))

    def cost_rows():
        page = list_audit(uow=uow, actor=admin, filters=AuditFilters(entity="product"))
        return [c for r in page.rows for c in r.changes if c.field == "cost_price"]

    assert ("80.00", "87.65") in [(c.before, c.after) for c in cost_rows()]
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == "administrator")
                                      ).scalar_one()
    m = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    adm.save_role_matrix(uow=uow, actor=admin, role_id=role_id, expected_version=m.role.version,
                         operations=m.operations, scopes=m.scopes,
                         field_rules={(Module.PRODUCTS, "cost_price"): FieldAccess.HIDDEN})
    assert cost_rows() and all(c.after == "***" for c in cost_rows())


def test_decode_changes_shapes():
    assert decode_changes(None) == ()
    rows = decode_changes('{"status": ["draft", "confirmed"], "rows": 12}')
    assert [(r.field, r.before, r.after) for r in rows] == [
        ("status", "draft", "confirmed"), ("rows", None, "12")]
    assert [(r.field, r.before) for r in decode_changes('{"before": {"code": "x"}}')] == [
        ("code", "x")]


def test_the_program_offers_no_way_to_edit_or_delete_audit_entries():
    """No service module writes to the audit log except by adding (audit.record)."""
    offenders = []
    # walk_packages: a package such as app.services.sales keeps its code in sub-modules.
    for info in pkgutil.walk_packages(app.services.__path__, "app.services."):
        module = importlib.import_module(info.name)
        source = inspect.getsource(module)
        for bad in ("delete(AuditEntry", "update(AuditEntry", "AuditEntry.__table__.delete",
                    "AuditEntry.__table__.update"):
            if bad in source:
                offenders.append((info.name, bad))
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ == module.__name__ and "audit" in name and any(
                    word in name for word in ("delete", "edit", "update", "purge", "remove")):
                offenders.append((info.name, name))
    assert offenders == []
    # And the audit viewer's API is read-only.
    from app.services import audit_view

    public = set(audit_view.__all__)
    assert not {n for n in public if n.startswith(("delete", "edit", "update", "save"))}
    assert AuditEntry.__tablename__ == "audit_log"
