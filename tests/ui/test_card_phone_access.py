"""The customer card with ``customers.phone`` hidden for the role: another's customer shows
its phone fields read-only with "(no permission)"; one's own stay editable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from app import i18n
from app.models import Contact, Customer, Role, RoleFieldRule
from app.models.enums import FieldAccess, Module
from app.services import administration as adm
from app.services.customers import ContactDraft, CustomerDraft, create_customer
from app.ui.customers.card import CustomerCardDialog
from app.ui.i18n import install_translator
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "polish"


def _hide_phones(uow, admin, access=FieldAccess.HIDDEN):
    with uow:
        role_id = uow.session.execute(
            select(Role.id).where(Role.code == "counter_clerk")).scalar_one()
    matrix = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    adm.save_role_matrix(uow=uow, actor=admin, role_id=role_id,
                         expected_version=matrix.role.version, operations=matrix.operations,
                         scopes=matrix.scopes,
                         field_rules={**matrix.field_rules,
                                      (Module.CUSTOMERS, "phone"): access})
    with uow:
        assert uow.session.execute(select(RoleFieldRule.access).where(
            RoleFieldRule.role_id == role_id, RoleFieldRule.module == Module.CUSTOMERS,
            RoleFieldRule.field == "phone")).scalar_one() is access


@pytest.fixture
def customers(uow, clerk, clerk2):
    theirs = create_customer(uow=uow, actor=clerk2, draft=CustomerDraft(
        name="小李的客户", phone="13833334444",
        contacts=(ContactDraft(name="刘经理", phone="010-6666 1234", mobile="13955556666",
                               is_primary=True),)))
    mine = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="小王的客户", phone="13811112222",
        contacts=(ContactDraft(name="陈会计", mobile="13700001111"),)))
    return {"theirs": theirs, "mine": mine}


def _card(qtbot, ctx, customer_id):
    card = CustomerCardDialog(ctx, customer_id)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card.detail is not None and not card.is_busy)
    return card


def _cell(card, row, key):
    table = card.contacts_table
    return table.item(row, table.column_of(key))


def _stored_phones(uow, customer_id):
    with uow:
        customer = uow.session.get(Customer, customer_id)
        contacts = uow.session.execute(select(Contact.phone, Contact.mobile).where(
            Contact.customer_id == customer_id).order_by(Contact.id)).all()
        return customer.phone, [tuple(c) for c in contacts]


def test_hidden_phones_of_anothers_customer_are_read_only_with_a_placeholder(
        qtbot, uow, make_context, admin, clerk, customers):
    _hide_phones(uow, admin)
    card = _card(qtbot, make_context(clerk, "storefront"), customers["theirs"].id)
    assert card.phone_edit.isReadOnly() and card.phone_edit.text() == ""
    assert card.phone_edit.placeholderText() == "(no permission)"
    assert "may not see" in card.phone_edit.toolTip()
    for key in ("phone", "mobile"):
        cell = _cell(card, 0, key)
        assert cell.text() == "(no permission)"
        assert not cell.flags() & Qt.ItemFlag.ItemIsEditable
    assert _cell(card, 0, "name").flags() & Qt.ItemFlag.ItemIsEditable  # the rest is not
    # The new-contact row stays open for a number the clerk has just been given.
    assert _cell(card, 1, "mobile").flags() & Qt.ItemFlag.ItemIsEditable
    assert card.current_draft().contacts[0].phone is None
    assert not card.is_modified()

    # The clerk may still change the rest of the card; the numbers stay as stored.
    card.industry_edit.setText("打印复印")
    card.save()
    qtbot.waitUntil(lambda: not card.is_busy and not card.is_modified())
    with uow:
        assert uow.session.get(Customer, customers["theirs"].id).industry == "打印复印"
    assert _stored_phones(uow, customers["theirs"].id) == (
        "13833334444", [("010-6666 1234", "13955556666")])
    # After the save the card is filled again, still locked.
    assert card.phone_edit.isReadOnly()
    assert _cell(card, 0, "mobile").text() == "(no permission)"


def test_the_clerks_own_customer_keeps_editable_phones(qtbot, uow, make_context, admin,
                                                       clerk, customers):
    _hide_phones(uow, admin)
    card = _card(qtbot, make_context(clerk, "storefront"), customers["mine"].id)
    assert not card.phone_edit.isReadOnly()
    assert card.phone_edit.text() == "13811112222"
    assert card.phone_edit.placeholderText() == "010-6253 8888"
    cell = _cell(card, 0, "mobile")
    assert cell.text() == "13700001111" and cell.flags() & Qt.ItemFlag.ItemIsEditable
    card.phone_edit.setText("13811119999")
    card.save()
    qtbot.waitUntil(lambda: not card.is_busy and not card.is_modified())
    assert _stored_phones(uow, customers["mine"].id)[0] == "13811119999"


def test_read_only_phones_are_shown_but_cannot_be_changed(qtbot, uow, make_context, admin,
                                                         clerk, customers):
    _hide_phones(uow, admin, FieldAccess.READ_ONLY)
    card = _card(qtbot, make_context(clerk, "storefront"), customers["theirs"].id)
    assert card.phone_edit.isReadOnly() and card.phone_edit.text() == "13833334444"
    assert "may not change" in card.phone_edit.toolTip()
    cell = _cell(card, 0, "mobile")
    assert cell.text() == "13955556666" and not cell.flags() & Qt.ItemFlag.ItemIsEditable
    assert card.current_draft().contacts[0].mobile == "13955556666"


def test_without_a_phone_rule_anothers_customer_is_editable(qtbot, make_context, clerk,
                                                           customers):
    card = _card(qtbot, make_context(clerk, "storefront"), customers["theirs"].id)
    assert not card.phone_edit.isReadOnly() and card.phone_edit.text() == "13833334444"
    assert _cell(card, 0, "phone").flags() & Qt.ItemFlag.ItemIsEditable


@pytest.mark.parametrize("language", ["en", "zh"])
def test_card_with_hidden_phones_renders(qtbot, qapp: QApplication, uow, make_context, admin,
                                         clerk, customers, language):
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, language, directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        _hide_phones(uow, admin)
        SHOTS.mkdir(parents=True, exist_ok=True)
        card = _card(qtbot, make_context(clerk, "storefront", language=resolved),
                     customers["theirs"].id)
        card.resize(1000, 700)
        qtbot.wait(50)
        assert clipped_texts(card) == []
        assert card.grab().save(str(SHOTS / f"card_phones_hidden_{language}.png"))
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")
