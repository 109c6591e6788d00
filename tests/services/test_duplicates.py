"""Duplicate check while creating a customer: phone, normalised name, pinyin, similar name."""

from __future__ import annotations

from app.services.customers import (
    ContactDraft,
    CustomerDraft,
    create_customer,
    find_duplicates,
)


def test_same_phone_of_customer_or_contact_is_found_first(uow, sales_user):
    a = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-62345678"))
    b = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="海淀文印社", contacts=(ContactDraft(name="王", mobile="139-1000-2000"),)))
    hits = find_duplicates(uow=uow, actor=sales_user, name="完全不同", phone="(010) 6234 5678")
    assert [(h.id, h.reasons) for h in hits] == [(a.id, ("same_phone",))]
    hits = find_duplicates(uow=uow, actor=sales_user, name="新客户", phone="13910002000")
    assert [h.id for h in hits] == [b.id]


def test_name_variants_are_found(uow, sales_user):
    a = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    same = find_duplicates(uow=uow, actor=sales_user, name="北京 鑫锐科技")
    assert same[0].id == a.id and "same_name" in same[0].reasons
    homophone = find_duplicates(uow=uow, actor=sales_user, name="北京新锐科技有限公司")
    assert homophone[0].id == a.id and "same_pinyin" in homophone[0].reasons
    similar = find_duplicates(uow=uow, actor=sales_user, name="鑫锐科技")
    assert similar[0].id == a.id and similar[0].reasons == ("similar_name",)
    assert find_duplicates(uow=uow, actor=sales_user, name="上海华联") == ()


def test_other_owners_duplicate_reveals_only_name_and_owner(uow, sales_user,
                                                            other_sales_user):
    create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(
        name="天津海河电子", phone="022-88889999"))
    [hit] = find_duplicates(uow=uow, actor=sales_user, name="天津海河电子")
    assert hit.restricted and hit.phone is None
    assert (hit.name, hit.owner_name) == ("天津海河电子", "李娜")


def test_editing_a_customer_does_not_find_itself(uow, sales_user):
    a = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    assert find_duplicates(uow=uow, actor=sales_user, name="北京鑫锐科技",
                           exclude_id=a.id) == ()
