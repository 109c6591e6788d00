"""Company settings (公司信息): who may read and save them, what is refused, versions, audit."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.models import AppSetting, AuditEntry
from app.models.enums import AuditAction
from app.services import administration as adm
from app.services.company import (
    COMPANY_SETTING_KEY,
    DEFAULT_COMPANY_NAME,
    LOGO_SETTING_KEY,
    MAX_LOGO_BYTES,
    CompanyDraft,
    check_logo,
    get_company,
    load_company,
    save_company,
    set_company_logo,
    set_company_name,
)
from app.services.errors import ConflictError, PermissionDenied, ValidationError

DRAFT = CompanyDraft(
    name="北京鑫锐办公设备有限公司", address="北京市海淀区中关村大街18号B座1203",
    phone="010-6253 8888", fax="010-6253 8899", bank="中国工商银行北京中关村支行",
    bank_account="0200 0045 0920 0123 456", tax_number="91110108MA01ABCD2X")


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (240, 96), *,
                noise: bool = False) -> bytes:
    """A small logo; with ``noise`` an image that does not compress (for the size limit)."""
    if noise:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 30, 40))
        image.paste((20, 60, 160), (size[0] // 2, 0, size[0], size[1]))
    buf = io.BytesIO()
    image.save(buf, fmt)
    return buf.getvalue()


def _settings(uow) -> dict[str, tuple[str, int]]:
    with uow:
        return {k: (v, ver) for k, v, ver in uow.session.execute(
            select(AppSetting.key, AppSetting.value, AppSetting.version))}


def _audit_count(uow) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()


def _company_audits(uow):
    with uow:
        return uow.session.execute(
            select(AuditEntry.action, AuditEntry.user_id, AuditEntry.summary,
                   AuditEntry.changes)
            .where(AuditEntry.entity == "app_setting").order_by(AuditEntry.id)).all()


# --- reading -----------------------------------------------------------------------------------


def test_nothing_saved_reads_the_placeholder_for_anyone_logged_in(uow, clerk, technician):
    for actor in (clerk, technician):
        info = get_company(uow=uow, actor=actor)
        assert info.name == DEFAULT_COMPANY_NAME and not info.named
        assert (info.version, info.logo, info.address) == (0, None, "")


def test_a_deactivated_account_reads_nothing(uow, admin, clerk):
    row = next(u for u in adm.list_users(uow=uow, actor=admin) if u.username == "clerk1")
    adm.deactivate_user(uow=uow, actor=admin, user_id=row.id, expected_version=row.version)
    with pytest.raises(PermissionDenied):
        get_company(uow=uow, actor=clerk)


# --- saving: the administrator ---------------------------------------------------------------


def test_administrator_saves_and_everyone_reads_it(uow, admin, clerk):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    assert saved.version == 1 and saved.named
    assert (saved.name, saved.address, saved.phone, saved.fax, saved.bank,
            saved.bank_account, saved.tax_number) == (
        DRAFT.name, DRAFT.address, DRAFT.phone, DRAFT.fax, DRAFT.bank, DRAFT.bank_account,
        DRAFT.tax_number)
    assert get_company(uow=uow, actor=clerk) == saved
    stored = json.loads(_settings(uow)[COMPANY_SETTING_KEY][0])
    assert stored["name"] == DRAFT.name and "logo" not in stored

    # Typed untidily: trimmed, the tax number upper-cased, the account's spaces single.
    again = save_company(uow=uow, actor=admin, expected_version=saved.version, draft=CompanyDraft(
        name="  北京鑫锐办公设备有限公司 ", tax_number=" 91110108ma01abcd2x ",
        bank_account="0200  0045 0920"))
    assert again.version == 2
    assert (again.tax_number, again.bank_account, again.address) == (
        "91110108MA01ABCD2X", "0200 0045 0920", "")


def test_each_save_is_audited_with_what_changed(uow, admin):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    save_company(uow=uow, actor=admin, expected_version=saved.version,
                 draft=CompanyDraft(**{**DRAFT.__dict__, "phone": "010-6253 0000"}))
    audits = _company_audits(uow)
    assert [(a.action, a.user_id, a.summary) for a in audits] == [
        (AuditAction.CREATE, admin.user_id, "company"),
        (AuditAction.UPDATE, admin.user_id, "company")]
    assert json.loads(audits[0].changes)["name"] == [None, DRAFT.name]
    assert json.loads(audits[1].changes) == {"phone": ["010-6253 8888", "010-6253 0000"]}


def test_saving_the_same_values_again_changes_nothing(uow, admin):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    count = _audit_count(uow)
    same = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=saved.version)
    assert same.version == saved.version
    assert _audit_count(uow) == count


# --- permission ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "manager", "technician", "sales_user"])
def test_only_the_administrator_may_save(request, uow, admin, who):
    actor = request.getfixturevalue(who)
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    before, audits = _settings(uow), _audit_count(uow)
    with pytest.raises(PermissionDenied):
        save_company(uow=uow, actor=actor, expected_version=saved.version,
                     draft=CompanyDraft(name="冒名公司"))
    with pytest.raises(PermissionDenied):
        set_company_logo(uow=uow, actor=actor, image=image_bytes(),
                         expected_version=saved.version)
    with pytest.raises(PermissionDenied):
        set_company_logo(uow=uow, actor=actor, image=None, expected_version=saved.version)
    with pytest.raises(PermissionDenied):
        set_company_name(uow=uow, actor=actor, name="冒名公司")
    assert _settings(uow) == before
    assert _audit_count(uow) == audits
    # ... while reading stays open to them.
    assert get_company(uow=uow, actor=actor).name == DRAFT.name


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "value"), [
    ("name", ""),
    ("name", "   "),
    ("name", "公" * 101),
    ("name", "鑫锐\x07公司"),
    ("address", "路" * 201),
    ("phone", "call 6253 8888"),
    ("phone", "1" * 41),
    ("fax", "010#62538899"),
    ("bank", "行" * 101),
    ("bank_account", "0200-0045-0920"),
    ("bank_account", "ACCT 12345678"),
    ("bank_account", "12345"),
    ("bank_account", "1" * 33),
    ("tax_number", "91110108MA01"),
    ("tax_number", "9" * 21),
    ("tax_number", "91110108MA01ABCD2!"),
    ("tax_number", "9111０108MA01ABCD2X"),  # a full-width digit
])
def test_each_bad_field_is_named_and_nothing_is_saved(uow, admin, field, value):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    before, audits = _settings(uow), _audit_count(uow)
    draft = CompanyDraft(**{**DRAFT.__dict__, field: value})
    with pytest.raises(ValidationError) as caught:
        save_company(uow=uow, actor=admin, draft=draft, expected_version=saved.version)
    assert set(caught.value.errors) == {field}
    assert caught.value.errors[field]
    assert _settings(uow) == before and _audit_count(uow) == audits


def test_every_bad_field_is_reported_at_once(uow, admin):
    with pytest.raises(ValidationError) as caught:
        save_company(uow=uow, actor=admin, expected_version=0, logo=b"GIF89a...",
                     draft=CompanyDraft(name="", phone="abc", fax="x", bank_account="12-34",
                                        tax_number="123"))
    assert set(caught.value.errors) == {"name", "phone", "fax", "bank_account", "tax_number",
                                        "logo"}
    assert _settings(uow) == {}


def test_messages_are_in_chinese_for_a_chinese_station(uow, admin):
    from app import i18n

    i18n.set_language("zh")
    try:
        with pytest.raises(ValidationError) as caught:
            save_company(uow=uow, actor=admin, expected_version=0, draft=CompanyDraft(
                name="公司", tax_number="123", bank_account="12-34"), logo=b"junk")
    finally:
        i18n.set_language("en")
    errors = caught.value.errors
    assert "统一社会信用代码" in errors["tax_number"]
    assert "数字" in errors["bank_account"]
    assert "PNG" in errors["logo"] and "图片" in errors["logo"]


def test_optional_fields_may_be_left_empty(uow, admin):
    saved = save_company(uow=uow, actor=admin, draft=CompanyDraft(name="鑫锐"),
                         expected_version=0)
    assert (saved.name, saved.phone, saved.tax_number, saved.logo) == ("鑫锐", "", "", None)


# --- the logo --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_a_png_or_jpeg_logo_is_stored_and_printed_with_the_header(uow, admin, clerk, fmt):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    logo = image_bytes(fmt)
    with_logo = set_company_logo(uow=uow, actor=admin, image=logo,
                                 expected_version=saved.version)
    # The company row notes the logo, so its version covers the logo too.
    assert with_logo.version == saved.version + 1
    assert with_logo.logo == logo and with_logo.name == DRAFT.name
    assert get_company(uow=uow, actor=clerk).logo == logo
    stored = json.loads(_settings(uow)[LOGO_SETTING_KEY][0])
    assert (stored["format"], stored["width"], stored["height"]) == (fmt, 240, 96)
    changes = json.loads(_company_audits(uow)[-1].changes)
    assert changes == {"logo": [None, f"{fmt} 240×96, {max(1, round(len(logo) / 1024))} KB"]}

    cleared = set_company_logo(uow=uow, actor=admin, image=None,
                               expected_version=with_logo.version)
    assert cleared.logo is None and cleared.version == with_logo.version + 1
    assert LOGO_SETTING_KEY not in _settings(uow)
    assert cleared.name == DRAFT.name


def test_the_logo_saves_with_the_fields_in_one_go(uow, admin):
    logo = image_bytes()
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0, logo=logo)
    assert saved.logo == logo and saved.version == 1
    # Leaving the logo out keeps it; None clears it.
    kept = save_company(uow=uow, actor=admin, expected_version=1,
                        draft=CompanyDraft(**{**DRAFT.__dict__, "fax": ""}))
    assert kept.logo == logo and kept.fax == ""
    cleared = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=kept.version,
                           logo=None)
    assert cleared.logo is None
    assert len(_company_audits(uow)) == 3


def _truncated_png() -> bytes:
    data = image_bytes(size=(400, 400), noise=True)
    return data[: len(data) // 2]


@pytest.mark.parametrize(("name", "make"), [
    ("not an image", lambda: b"this is not an image at all"),
    ("empty", lambda: b""),
    ("a GIF", lambda: image_bytes("GIF")),
    ("a BMP", lambda: image_bytes("BMP")),
    ("truncated", _truncated_png),
    ("too small", lambda: image_bytes(size=(8, 8))),
    ("too wide", lambda: image_bytes(size=(4001, 20))),
    ("too big a file", lambda: image_bytes(size=(420, 420), noise=True)),
])
def test_a_bad_logo_is_refused_at_its_field(uow, admin, name, make):
    image = make()
    if name == "too big a file":
        assert len(image) > MAX_LOGO_BYTES
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    before, audits = _settings(uow), _audit_count(uow)
    with pytest.raises(ValidationError) as caught:
        set_company_logo(uow=uow, actor=admin, image=image, expected_version=saved.version)
    assert set(caught.value.errors) == {"logo"}
    with pytest.raises(ValidationError):
        check_logo(image)
    with pytest.raises(ValidationError) as caught:
        save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=saved.version,
                     logo=image)
    assert set(caught.value.errors) == {"logo"}
    assert _settings(uow) == before and _audit_count(uow) == audits


def test_a_damaged_logo_setting_prints_no_logo_instead_of_failing(uow, admin):
    with uow:
        uow.session.add(AppSetting(key=LOGO_SETTING_KEY, value='{"data": "%%% not base64"}'))
        uow.commit()
    assert get_company(uow=uow, actor=admin).logo is None


# --- someone else saved in between -----------------------------------------------------------


def test_a_stale_save_is_refused_and_keeps_the_other_save(uow, admin, make_user):
    other = make_user("admin2", "administrator", "management", display_name="第二管理员")
    first = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    loaded_by_me = get_company(uow=uow, actor=admin)
    theirs = save_company(uow=uow, actor=other, expected_version=first.version,
                          draft=CompanyDraft(**{**DRAFT.__dict__, "phone": "010-1111 2222"}))
    audits = _audit_count(uow)
    with pytest.raises(ConflictError) as caught:
        save_company(uow=uow, actor=admin, expected_version=loaded_by_me.version,
                     draft=CompanyDraft(**{**DRAFT.__dict__, "fax": "010-3333 4444"}))
    assert "第二管理员" in str(caught.value)
    assert caught.value.current_version == theirs.version
    with pytest.raises(ConflictError):
        set_company_logo(uow=uow, actor=admin, image=image_bytes(),
                         expected_version=loaded_by_me.version)
    now = get_company(uow=uow, actor=admin)
    assert (now.phone, now.fax, now.logo) == ("010-1111 2222", DRAFT.fax, None)
    assert _audit_count(uow) == audits


def test_a_first_save_meeting_another_first_save_is_a_conflict(uow, admin, make_user):
    other = make_user("admin2", "administrator", "management")
    save_company(uow=uow, actor=other, draft=DRAFT, expected_version=0)
    with pytest.raises(ConflictError):
        save_company(uow=uow, actor=admin, draft=CompanyDraft(name="另一家"),
                     expected_version=0)
    assert get_company(uow=uow, actor=admin).name == DRAFT.name


def test_a_version_for_settings_that_are_gone_is_a_conflict(uow, admin):
    with pytest.raises(ConflictError):
        save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=3)


def test_a_logo_change_moves_the_version_a_field_save_must_name(uow, admin, make_user):
    other = make_user("admin2", "administrator", "management")
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0)
    set_company_logo(uow=uow, actor=other, image=image_bytes(), expected_version=saved.version)
    with pytest.raises(ConflictError):
        save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=saved.version,
                     logo=None)
    assert get_company(uow=uow, actor=admin).logo is not None


# --- the first-run wizard's name -------------------------------------------------------------


def test_the_set_up_wizard_sets_the_name_of_a_new_database(uow):
    info = set_company_name(uow=uow, actor=None, name=" 北京鑫锐办公设备有限公司 ")
    assert info.name == "北京鑫锐办公设备有限公司" and info.version == 1
    audits = _company_audits(uow)
    assert [(a.action, a.user_id) for a in audits] == [(AuditAction.CREATE, None)]
    with pytest.raises(ValidationError) as caught:
        set_company_name(uow=uow, actor=None, name="  ")
    assert set(caught.value.errors) == {"name"}


def test_once_there_is_an_administrator_the_name_needs_one(uow, admin):
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=0, logo=image_bytes())
    with pytest.raises(PermissionDenied):
        set_company_name(uow=uow, actor=None, name="冒名公司")
    renamed = set_company_name(uow=uow, actor=admin, name="北京鑫锐科技有限公司")
    assert renamed.version == saved.version + 1
    # Only the name changed.
    assert (renamed.name, renamed.address, renamed.tax_number, renamed.logo) == (
        "北京鑫锐科技有限公司", DRAFT.address, DRAFT.tax_number, saved.logo)
    assert json.loads(_company_audits(uow)[-1].changes) == {
        "name": [DRAFT.name, "北京鑫锐科技有限公司"]}


def test_the_demo_header_is_edited_like_any_other(uow, admin):
    # Settings written by the demo data (no logo note, a description): read and saved as usual.
    with uow:
        uow.session.add(AppSetting(key=COMPANY_SETTING_KEY, description="公司抬头（演示数据）",
                                   value=json.dumps({"name": "京华办公设备有限公司",
                                                     "phone": "010-6255 0118"},
                                                    ensure_ascii=False)))
        uow.commit()
    with uow:
        loaded = load_company(uow)
    assert loaded.version == 1 and loaded.name == "京华办公设备有限公司"
    saved = save_company(uow=uow, actor=admin, draft=DRAFT, expected_version=1)
    assert saved.name == DRAFT.name and saved.version == 2


def test_a_logo_file_is_read_and_checked(tmp_path):
    from app.services.company import read_logo

    good = tmp_path / "logo.jpg"
    good.write_bytes(image_bytes("JPEG"))
    image, facts = read_logo(good)
    assert image == good.read_bytes() and (facts.format, facts.width) == ("JPEG", 240)
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG" + b"\0" * MAX_LOGO_BYTES)
    with pytest.raises(ValidationError) as caught:
        read_logo(big)
    assert "512 KB" in caught.value.errors["logo"]
    with pytest.raises(OSError):
        read_logo(tmp_path / "missing.png")
