"""Administration → Company (公司信息): fill, save, reload, errors at the fields; PNGs in en/zh."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt

from app import i18n
from app.services.company import CompanyDraft, get_company, save_company
from app.ui.admin.company_tab import CompanyTab
from app.ui.admin.page import AdminPage
from app.ui.i18n import install_translator
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "admin"
VALUES = {
    "name": "北京鑫锐办公设备有限公司",
    "address": "北京市海淀区中关村大街18号B座1203",
    "phone": "010-6253 8888",
    "fax": "010-6253 8899",
    "bank": "中国工商银行北京中关村支行",
    "bank_account": "0200 0045 0920 0123 456",
    "tax_number": "91110108MA01ABCD2X",
}


def _logo_file(folder: Path, name: str = "logo.png") -> Path:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, 116, 116), fill=(200, 30, 40, 255))
    draw.rectangle((130, 30, 290, 90), fill=(20, 60, 160, 255))
    buf = io.BytesIO()
    image.save(buf, "PNG")
    path = folder / name
    path.write_bytes(buf.getvalue())
    return path


def _edit(tab: CompanyTab, field: str):
    return getattr(tab, f"{field}_edit")


def _page(qtbot, make_context, actor, language="en") -> AdminPage:
    page = AdminPage(make_context(actor, "management", language=language))
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    page.tabs.setCurrentWidget(page.company)
    qtbot.waitUntil(lambda: page.company.info is not None and not page.company.is_busy)
    return page


def _fill(qtbot, tab: CompanyTab, values: dict[str, str]) -> None:
    """Type each value (QTest types only Latin-1 keys: Chinese goes in as an input method
    would, with insert())."""
    for field, value in values.items():
        edit = _edit(tab, field)
        edit.selectAll()
        if value.isascii():
            qtbot.keyClicks(edit, value)
        else:
            edit.insert(value)


def test_administrator_fills_saves_and_a_reload_shows_it(qtbot, uow, make_context, admin,
                                                        clerk, tmp_path):
    page = _page(qtbot, make_context, admin)
    tab = page.company
    assert tab.editable and tab.save_button.isVisible() and tab.save_button.isEnabled()
    assert tab.name_edit.text() == "" and "No company name yet" in tab.status_label.text()
    assert not tab.remove_logo_button.isEnabled()

    _fill(qtbot, tab, VALUES)
    tab.choose_logo(_logo_file(tmp_path))
    qtbot.waitUntil(lambda: tab.logo_pending and not tab.is_busy)
    assert not tab.logo_preview.pixmap().isNull()
    assert "PNG 300×120" in tab.logo_info.text()
    assert tab.remove_logo_button.isEnabled()

    tab.name_edit.setFocus()
    qtbot.keyClick(tab.name_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "Saved" in tab.status_label.text())
    assert not tab.logo_pending

    stored = get_company(uow=uow, actor=clerk)
    assert {f: getattr(stored, f) for f in VALUES} == VALUES
    assert stored.logo == (tmp_path / "logo.png").read_bytes()
    assert stored.version == 1

    # A fresh tab (another time, another station) loads what was saved.
    second = _page(qtbot, make_context, admin)
    again = second.company
    assert {f: _edit(again, f).text() for f in VALUES} == VALUES
    assert not again.logo_preview.pixmap().isNull()
    assert again.status_label.text() == ""


def test_a_bad_phone_is_marked_at_its_field_and_the_typing_kept(qtbot, uow, make_context,
                                                               admin):
    saved = save_company(uow=uow, actor=admin, draft=CompanyDraft(**VALUES),
                         expected_version=0)
    page = _page(qtbot, make_context, admin)
    tab = page.company
    _fill(qtbot, tab, {"phone": "call 6253 8888", "tax_number": "123",
                       "address": "北京市朝阳区建国路88号"})
    tab.save()
    qtbot.waitUntil(lambda: not tab.is_busy and tab.field_error("phone") != "")
    assert "phone number" in tab.field_error("phone")
    assert "18" in tab.field_error("tax_number")
    assert tab.field_error("name") == "" and tab.field_error("address") == ""
    assert "correct the marked fields" in tab.status_label.text()
    assert tab.phone_edit.toolTip() == tab.field_error("phone")
    # What was typed is still there; nothing was saved.
    assert tab.phone_edit.text() == "call 6253 8888"
    assert tab.address_edit.text() == "北京市朝阳区建国路88号"
    assert get_company(uow=uow, actor=admin) == saved

    # Typing in the field takes its mark away; a corrected save goes through.
    qtbot.keyClicks(tab.phone_edit, "x")
    assert tab.field_error("phone") == ""
    _fill(qtbot, tab, {"phone": "010-6253 0000", "tax_number": "91110108MA01ABCD2X"})
    tab.save()
    qtbot.waitUntil(lambda: "Saved" in tab.status_label.text())
    after = get_company(uow=uow, actor=admin)
    assert (after.phone, after.address) == ("010-6253 0000", "北京市朝阳区建国路88号")


def test_a_bad_logo_file_is_marked_at_the_logo(qtbot, uow, make_context, admin, tmp_path):
    page = _page(qtbot, make_context, admin)
    tab = page.company
    fake = tmp_path / "logo.png"
    fake.write_bytes(b"this is not a picture")
    tab.choose_logo(fake)
    qtbot.waitUntil(lambda: not tab.is_busy and tab.field_error("logo") != "")
    assert "PNG or JPEG" in tab.field_error("logo")
    assert not tab.logo_pending and tab.logo_preview.pixmap().isNull()

    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + os.urandom(600 * 1024))
    tab.choose_logo(big)
    qtbot.waitUntil(lambda: not tab.is_busy and "512 KB" in tab.field_error("logo"))

    tab.choose_logo(tmp_path / "missing.png")
    qtbot.waitUntil(lambda: not tab.is_busy and "cannot be read" in tab.field_error("logo"))
    assert not tab.logo_pending


def test_removing_the_logo_takes_effect_on_save(qtbot, uow, make_context, admin, tmp_path):
    logo = _logo_file(tmp_path).read_bytes()
    save_company(uow=uow, actor=admin, draft=CompanyDraft(**VALUES), expected_version=0,
                 logo=logo)
    page = _page(qtbot, make_context, admin)
    tab = page.company
    assert not tab.logo_preview.pixmap().isNull()
    tab.remove_logo()
    assert tab.logo_pending and tab.logo_preview.pixmap().isNull()
    assert get_company(uow=uow, actor=admin).logo == logo  # not before Save
    tab.save()
    qtbot.waitUntil(lambda: "Saved" in tab.status_label.text())
    assert get_company(uow=uow, actor=admin).logo is None


def test_a_save_after_someone_elses_is_refused_and_shows_theirs(
        qtbot, uow, make_context, admin, make_user, monkeypatch):
    shown = []
    monkeypatch.setattr("app.ui.admin.company_tab.show_error",
                        lambda parent, error: shown.append(error))
    other = make_user("admin2", "administrator", "management", display_name="第二管理员")
    first = save_company(uow=uow, actor=admin, draft=CompanyDraft(**VALUES),
                         expected_version=0)
    page = _page(qtbot, make_context, admin)
    tab = page.company
    save_company(uow=uow, actor=other, expected_version=first.version,
                 draft=CompanyDraft(**{**VALUES, "fax": "010-1111 2222"}))
    _fill(qtbot, tab, {"phone": "010-3333 4444"})
    tab.save()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "第二管理员" in str(shown[0])
    qtbot.waitUntil(lambda: tab.fax_edit.text() == "010-1111 2222" and not tab.is_busy)
    assert get_company(uow=uow, actor=admin).phone == VALUES["phone"]


@pytest.mark.parametrize("who", ["manager", "clerk"])
def test_other_roles_only_read_it(qtbot, uow, make_context, admin, who, request):
    # Nobody but the administrator gets the administration page at all; a role given
    # administration/view alone would see this tab read-only.
    save_company(uow=uow, actor=admin, draft=CompanyDraft(**VALUES), expected_version=0)
    ctx = make_context(request.getfixturevalue(who), "management")
    assert not ctx.can(*_admin_view())
    tab = CompanyTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.info is not None and not tab.is_busy)
    assert tab.name_edit.text() == VALUES["name"] and tab.name_edit.isReadOnly()
    assert not tab.save_button.isVisible() and not tab.choose_logo_button.isVisible()
    tab.save()  # Ctrl+S does nothing either
    assert not tab.is_busy


def _admin_view():
    from app.models.enums import Module, Operation

    return Module.ADMINISTRATION, Operation.VIEW


@pytest.mark.parametrize("language", ["en", "zh"])
def test_render_company_tab(qtbot, uow, make_context, admin, qapp, language, tmp_path):
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, language, directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        save_company(uow=uow, actor=admin, draft=CompanyDraft(**VALUES), expected_version=0,
                     logo=_logo_file(tmp_path).read_bytes())
        page = _page(qtbot, make_context, admin, language=resolved)
        page.resize(1366, 820)
        tab = page.company
        qtbot.wait(50)
        assert clipped_texts(page) == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert page.grab().save(str(SHOTS / f"company_{language}.png"))
        # With errors at the fields.
        _fill(qtbot, tab, {"phone": "call me", "bank_account": "0200-0045"})
        tab.save()
        qtbot.waitUntil(lambda: not tab.is_busy and tab.field_error("phone") != "")
        qtbot.wait(50)
        assert clipped_texts(page) == []
        assert page.grab().save(str(SHOTS / f"company_errors_{language}.png"))
        if resolved == "zh":
            assert page.tabs.tabText(page.tabs.indexOf(tab)) == "公司信息"
            assert "电话" in tab.field_error("phone") or "数字" in tab.field_error("phone")
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")
