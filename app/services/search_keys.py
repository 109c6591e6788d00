"""The search keys of customers and products (拼音检索): kept with every write, looked up by range.

Each customer and product has rows in ``search_keys`` (app.models.catalog.SearchKey): the
pinyin initials and full pinyin of its name from every syllable on, in every reading
(app.textkeys.name_keys). A search text is one index range over them (``term >= 'xigu' AND
term < 'xigv'``), on SQLite, PostgreSQL and SQL Server alike, and the ids it finds are joined
back to the records, so whoever searches sees only what they could see anyway.

Any part of a phone number is found through ``phone_suffixes`` (app.models.customers.
PhoneSuffix): every tail of each number of a customer and of its contacts, kept by a flush
hook (:func:`_keep_phone_suffixes`) whenever a number changes, whichever use case saved it.

A customer's name is found by Chinese text too: ``name_suffixes`` (app.models.catalog.
NameSuffix) holds every tail of its name and short name (app.textkeys.name_suffixes), and
"contains 鑫锐" is the range of suffixes starting with 鑫锐 (:func:`suffix_hits`).

Every row also carries its record's sort key (pinyin order), so that a text found in
thousands of records gives its first page in order from the index range alone; a rename
writes the rows anew (the keys and suffixes; the phone suffixes' sort key is updated).

Every path that writes a name calls :func:`keep_customer` / :func:`keep_product` in the same
transaction; the demo generator and the migrations write the same rows in bulk.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.util import identity_key

from app.db import insert_many, table_of
from app.models import Contact, Customer, Product
from app.models.catalog import NameSuffix, SearchKey
from app.models.customers import PhoneSuffix
from app.models.enums import CustomerKind
from app.textkeys import (
    KEY_LENGTH,
    SUFFIX_LENGTH,
    digit_suffixes,
    fold_text,
    merged_keys,
    name_keys,
    name_suffixes,
    phone_digits,
    search_prefix,
)

CUSTOMER = "c"
PRODUCT = "p"
# What a key adds to a match's rank: a key starting the name ranks 0 + this, inside 1 + this.
_KEY_RANK = 2


def customer_keys(name: str, short_name: str | None, kind: CustomerKind | str | None
                  ) -> dict[str, int]:
    """The keys of a customer: its name (a person's with the surname reading) and short
    name; the short name counts as a start of the name."""
    person = kind in (CustomerKind.PERSON, CustomerKind.PERSON.value)
    return merged_keys(name_keys(name, person=person), name_keys(short_name))


def product_keys(name: str) -> dict[str, int]:
    """The keys of a product: its name (brand first, as products are named)."""
    return name_keys(name, core_start=False)


def customer_suffixes(name: str, short_name: str | None) -> dict[str, int]:
    """The suffixes of a customer: its name's and its short name's (a start of the name)."""
    return merged_keys(name_suffixes(name), name_suffixes(short_name))


def _rows(kind: str, owner_id: int, keys: dict[str, int], sort_key: str,
          column: str = "term") -> list[dict[str, Any]]:
    """Rows of one record, whose sort key is ``sort_key``, for ``search_keys`` (its text
    in ``term``) or ``name_suffixes`` (``column`` "suffix")."""
    return [{"owner_kind": kind, "owner_id": owner_id, column: k, "pos": p,
             "sort_key": sort_key} for k, p in sorted(keys.items())]


def _sync(session: Session, model: Any, column: str, owner: tuple[str, int],
          keys: dict[str, int], sort_key: str, *, new: bool) -> bool | None:
    """Make the stored rows of one record (``owner``: kind and id) in the table of
    ``model``, whose text is ``column``, hold ``keys`` and ``sort_key``: only what differs
    is written, every row when the sort key changed (a role that writes the rows may
    insert and delete them, not change them).

    Returns whether the stored rows had another sort key (None: there were none)."""
    kind, owner_id = owner
    table = model.__table__
    text = table.c[column]
    if new:
        if keys:
            session.execute(insert(table), _rows(kind, owner_id, keys, sort_key, column))
        return None
    found = session.execute(
        select(text, table.c.pos, table.c.sort_key).where(
            table.c.owner_kind == kind, table.c.owner_id == owner_id)).all()
    resorted = any(r.sort_key != sort_key for r in found)
    stored: dict[str, int] = {} if resorted else {r[0]: r.pos for r in found}
    if resorted:
        session.execute(delete(table).where(table.c.owner_kind == kind,
                                            table.c.owner_id == owner_id))
    else:
        gone = [k for k, p in stored.items() if keys.get(k) != p]
        if gone:
            session.execute(delete(table).where(
                table.c.owner_kind == kind, table.c.owner_id == owner_id, text.in_(gone)))
    added = {k: p for k, p in keys.items() if stored.get(k) != p}
    if added:
        session.execute(insert(table), _rows(kind, owner_id, added, sort_key, column))
    return resorted if found else None


def keep_customer(session: Session, customer: Customer, *, new: bool = False) -> None:
    """Write the customer's keys and suffixes after its name, short name or kind were
    saved (flushed: it has its id), and its phone suffixes' sort key if that changed.
    ``new``: nothing is stored yet."""
    owner = (CUSTOMER, customer.id)
    resorted = [
        _sync(session, SearchKey, "term", owner,
              customer_keys(customer.name, customer.short_name, customer.kind),
              customer.sort_key, new=new),
        _sync(session, NameSuffix, "suffix", owner,
              customer_suffixes(customer.name, customer.short_name), customer.sort_key,
              new=new)]
    # A new customer's numbers get its key as they are written (_keep_phone_suffixes);
    # with no keys or suffixes stored before, nothing tells, so the UPDATE says.
    if not new and any(r is not False for r in resorted):
        session.execute(update(PhoneSuffix).where(
            PhoneSuffix.customer_id == customer.id,
            PhoneSuffix.sort_key != customer.sort_key).values(sort_key=customer.sort_key))


def keep_new_customers(session: Session,
                       customers: Iterable[tuple[int, str, str | None,
                                                 CustomerKind | str | None, str]]
                       ) -> None:
    """:func:`keep_customer` for many customers just added, each given as its id, name,
    short name, kind and sort key, in one INSERT per table: an import's chunk."""
    keys: list[dict[str, Any]] = []
    suffixes: list[dict[str, Any]] = []
    for customer_id, name, short_name, kind, key in customers:
        keys += _rows(CUSTOMER, customer_id, customer_keys(name, short_name, kind), key)
        suffixes += _rows(CUSTOMER, customer_id, customer_suffixes(name, short_name), key,
                          "suffix")
    # In the lookup index's order: the inserts land near each other in it.
    keys.sort(key=lambda row: row["term"])
    connection = session.connection()
    insert_many(connection, table_of(SearchKey), keys)
    insert_many(connection, table_of(NameSuffix), suffixes)


def keep_product(session: Session, product: Product, *, new: bool = False) -> None:
    """Write the product's keys after its name was saved (flushed: it has its id)."""
    _sync(session, SearchKey, "term", (PRODUCT, product.id), product_keys(product.name),
          product.sort_key, new=new)


def drop_keys(session: Session, kind: str, owner_ids: Iterable[int]) -> None:
    """Remove the keys and suffixes of records being deleted (or merged into another):
    a customer's phone suffixes too, which would otherwise hold its row."""
    ids = list(owner_ids)
    if ids:
        for model in (SearchKey, NameSuffix):
            session.execute(delete(model).where(model.owner_kind == kind,
                                                model.owner_id.in_(ids)))
        if kind == CUSTOMER:
            session.execute(delete(PhoneSuffix).where(PhoneSuffix.customer_id.in_(ids)))


# --- phone suffixes ----------------------------------------------------------------------------


def _numbers_changed(obj: Any, names: tuple[str, ...], new: bool) -> bool:
    """Whether a flush writes other digits to any of the ``names`` of ``obj``."""
    state = inspect(obj)
    for name in names:
        history = state.attrs[name].history
        if new:
            if any(history.added):
                return True
        elif history.added and list(history.added) != list(history.deleted):
            return True
    return False


def phone_rows(customer_id: int, contact_id: int | None, *numbers: str | None,
               sort_key: str) -> list[dict[str, Any]]:
    """The phone suffix rows of the ``numbers`` of a customer (``contact_id`` None) or of
    one of its contacts; ``sort_key`` is the customer's."""
    return [{"customer_id": customer_id, "contact_id": contact_id, "suffix": s,
             "sort_key": sort_key} for s in sorted(digit_suffixes(*numbers))]


def _customers_sort_keys(session: Session, contacts: list[Contact]) -> dict[int, str]:
    """The sort keys of the contacts' customers: from the session where it holds them
    loaded (a card being saved holds its customer), else read, in one statement (an
    expired customer's attribute would be one more statement per customer)."""
    keys: dict[int, str] = {}
    for k in contacts:
        customer = session.identity_map.get(identity_key(Customer, k.customer_id))
        loaded = inspect(customer).dict.get("sort_key") if customer is not None else None
        if loaded is not None:
            keys[k.customer_id] = loaded
    missing = sorted({k.customer_id for k in contacts} - keys.keys())
    if missing:
        keys.update({r.id: r.sort_key for r in session.connection().execute(
            select(Customer.id, Customer.sort_key).where(Customer.id.in_(missing)))})
    return keys


@event.listens_for(Session, "after_flush")
def _keep_phone_suffixes(session: Session, _context: UOWTransaction) -> None:
    """Write the phone suffixes of the customers and contacts whose numbers this flush
    wrote, in the same transaction: nothing to do (no statement) when no number changed,
    as on most saves. A removed contact's suffixes go with it (ON DELETE CASCADE).

    Numbers a role may not read are never changed by it (the customer service keeps them
    as stored), so what is not in the session is left as it is."""
    own: list[Customer] = []
    contacts: list[Contact] = []
    # Read once: each read of session.new builds a new set of every pending object, and an
    # import's chunk flushes hundreds of them at once.
    added = session.new
    for obj in itertools.chain(added, session.dirty):
        new = obj in added
        if isinstance(obj, Customer) and _numbers_changed(obj, ("phone_digits",), new):
            own.append(obj)
        elif isinstance(obj, Contact) and _numbers_changed(
                obj, ("phone_digits", "mobile_digits"), new):
            contacts.append(obj)
    if not own and not contacts:
        return
    connection = session.connection()
    stale_own = [c.id for c in own if c not in added]
    if stale_own:
        connection.execute(delete(PhoneSuffix).where(PhoneSuffix.customer_id.in_(stale_own),
                                                     PhoneSuffix.contact_id.is_(None)))
    stale_contacts = [c.id for c in contacts if c not in added]
    if stale_contacts:
        connection.execute(delete(PhoneSuffix).where(PhoneSuffix.contact_id.in_(stale_contacts)))
    rows = [r for c in own for r in phone_rows(c.id, None, c.phone_digits,
                                               sort_key=c.sort_key)]
    sort_keys = _customers_sort_keys(session, contacts) if contacts else {}
    rows += [r for k in contacts
             for r in phone_rows(k.customer_id, k.id, k.phone_digits, k.mobile_digits,
                                 sort_key=sort_keys.get(k.customer_id, ""))]
    insert_many(connection, table_of(PhoneSuffix), rows)


def all_rows(session: Session) -> Iterator[dict[str, Any]]:
    """The keys every customer and product should have, computed afresh from the names."""
    for r in session.execute(select(Customer.id, Customer.name, Customer.short_name,
                                    Customer.kind, Customer.sort_key).order_by(Customer.id)):
        yield from _rows(CUSTOMER, r.id, customer_keys(r.name, r.short_name, r.kind),
                         r.sort_key)
    for p in session.execute(select(Product.id, Product.name, Product.sort_key)
                             .order_by(Product.id)):
        yield from _rows(PRODUCT, p.id, product_keys(p.name), p.sort_key)


def all_suffix_rows(session: Session) -> Iterator[dict[str, Any]]:
    """The suffixes every customer should have, computed afresh from the names."""
    for r in session.execute(select(Customer.id, Customer.name, Customer.short_name,
                                    Customer.sort_key).order_by(Customer.id)):
        yield from _rows(CUSTOMER, r.id, customer_suffixes(r.name, r.short_name), r.sort_key,
                         "suffix")


def all_phone_rows(session: Session) -> Iterator[dict[str, Any]]:
    """The phone suffixes every customer and contact should have, computed afresh."""
    for r in session.execute(select(Customer.id, Customer.phone_digits, Customer.sort_key)
                             .where(Customer.phone_digits.is_not(None)).order_by(Customer.id)):
        yield from phone_rows(r.id, None, r.phone_digits, sort_key=r.sort_key)
    for k in session.execute(select(Contact.id, Contact.customer_id, Contact.phone_digits,
                                    Contact.mobile_digits, Customer.sort_key)
                             .join(Customer, Customer.id == Contact.customer_id)
                             .order_by(Contact.id)):
        yield from phone_rows(k.customer_id, k.id, k.phone_digits, k.mobile_digits,
                              sort_key=k.sort_key)


def rebuild(session: Session, *, batch: int = 5000) -> int:
    """Replace every key and suffix by ones computed from the names and numbers (a repair
    tool and the tests' yardstick); returns how many rows there are."""
    count = 0
    for model, rows in ((SearchKey, all_rows), (NameSuffix, all_suffix_rows),
                        (PhoneSuffix, all_phone_rows)):
        session.execute(delete(model))
        chunk: list[dict[str, Any]] = []
        for row in list(rows(session)):
            chunk.append(row)
            if len(chunk) >= batch:
                session.execute(insert(model), chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            session.execute(insert(model), chunk)
            count += len(chunk)
    return count


# --- lookups -------------------------------------------------------------------------------


def prefix_params(text: str, lo: str = "key_lo", hi: str = "key_hi") -> dict[str, str]:
    """Bounds of the keys starting with ``text`` as typed (see :func:`key_hits`); empty
    when the text has nothing a key could start with."""
    prefix = search_prefix(text)
    if not prefix:
        return {}
    return {lo: prefix, hi: prefix[:-1] + chr(ord(prefix[-1]) + 1)}


def key_hits(kind: str, lo: str = "key_lo", hi: str = "key_hi", *, ordered: bool = True
             ) -> Any:
    """SELECT owner id, rank, sort key of the records with a key in the range of the
    parameters ``lo``/``hi`` (:func:`prefix_params`): one range of
    ``ix_search_keys_lookup``. The rank is 2 for a key starting the name, 3 for one inside
    it. ``ordered`` False: without the sort key (the catalog's short list reads it from
    the products)."""
    sk = SearchKey.__table__.c
    return select(sk.owner_id.label("id"),
                  (sk.pos + literal_column(str(_KEY_RANK), Integer)).label("rank"),
                  *([sk.sort_key] if ordered else [])).where(
        sk.owner_kind == kind,
        and_(sk.term >= bindparam(lo, type_=sk.term.type),
             sk.term < bindparam(hi, type_=sk.term.type)))


def suffix_params(text: str, lo: str = "suffix_lo", hi: str = "suffix_hi"
                  ) -> dict[str, str]:
    """Bounds of the suffixes starting with ``text`` as typed (see :func:`suffix_hits`),
    cut to SUFFIX_LENGTH; empty when nothing of the text is left after folding."""
    folded = fold_text(text)[:SUFFIX_LENGTH]
    if not folded:
        return {}
    return {lo: folded, hi: folded[:-1] + chr(ord(folded[-1]) + 1)}


def suffix_hits(kind: str, lo: str = "suffix_lo", hi: str = "suffix_hi", *,
                ordered: bool = True) -> Any:
    """SELECT owner id, rank, sort key of the records with a suffix in the range of the
    parameters ``lo``/``hi`` (:func:`suffix_params`): one range of
    ``ix_name_suffixes_lookup``. The rank is 1 for a suffix starting the name, 3 for one
    inside it (a text longer than SUFFIX_LENGTH must still be checked against the names).
    ``ordered`` False: without the sort key (as :func:`key_hits`)."""
    ns = NameSuffix.__table__.c
    return select(ns.owner_id.label("id"),
                  (ns.pos * literal_column("2", Integer) + literal_column("1", Integer))
                  .label("rank"), *([ns.sort_key] if ordered else [])).where(
        ns.owner_kind == kind,
        and_(ns.suffix >= bindparam(lo, type_=ns.suffix.type),
             ns.suffix < bindparam(hi, type_=ns.suffix.type)))


def digits_params(text: str, lo: str = "digits_lo", hi: str = "digits_hi"
                  ) -> dict[str, str]:
    """Bounds of the phone suffixes starting with the digits of ``text`` (see
    :func:`phone_hits`); empty when it has none."""
    digits = phone_digits(text) or ""
    if not digits:
        return {}
    return {lo: digits, hi: digits[:-1] + chr(ord(digits[-1]) + 1)}


def phone_hits(lo: str = "digits_lo", hi: str = "digits_hi") -> Any:
    """SELECT the ids of the customers with a number (their own or a contact's) that
    contains the digits whose bounds are the parameters ``lo``/``hi``
    (:func:`digits_params`): one range of ``ix_phone_suffixes_lookup``."""
    return select(PhoneSuffix.__table__.c.customer_id).where(_digits_in(lo, hi))


def _digits_in(lo: str, hi: str) -> Any:
    """The phone suffixes in the range of the parameters ``lo``/``hi``."""
    suffix = PhoneSuffix.__table__.c.suffix
    return and_(suffix >= bindparam(lo, type_=suffix.type),
                suffix < bindparam(hi, type_=suffix.type))


def phone_matches(lo: str = "digits_lo", hi: str = "digits_hi") -> Any:
    """SELECT id, sort key of each customer with a number that contains the digits whose
    bounds are the parameters ``lo``/``hi``, once: one range of ``ix_phone_suffixes_lookup``
    read without the table, so that the first page in pinyin order of thousands of
    matches needs no lookup of each (:func:`phone_hits` gives the ids alone)."""
    ps = PhoneSuffix.__table__.c
    return (select(ps.customer_id.label("id"), func.max(ps.sort_key).label("sort_key"))
            .where(_digits_in(lo, hi)).group_by(ps.customer_id))


__all__ = [
    "CUSTOMER",
    "KEY_LENGTH",
    "PRODUCT",
    "all_rows",
    "all_phone_rows",
    "all_suffix_rows",
    "customer_keys",
    "customer_suffixes",
    "digits_params",
    "drop_keys",
    "keep_new_customers",
    "keep_customer",
    "keep_product",
    "phone_hits",
    "phone_matches",
    "phone_rows",
    "key_hits",
    "prefix_params",
    "product_keys",
    "rebuild",
    "suffix_hits",
    "suffix_params",
]
