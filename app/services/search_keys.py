"""The search keys of customers and products (拼音检索): kept with every write, looked up by range.

Each customer and product has rows in ``search_keys`` (app.models.catalog.SearchKey): the
pinyin initials and full pinyin of its name from every syllable on, in every reading
(app.textkeys.name_keys). A search text is one index range over them (``term >= 'xigu' AND
term < 'xigv'``), on SQLite, PostgreSQL and SQL Server alike, and the ids it finds are joined
back to the records, so whoever searches sees only what they could see anyway.

Every path that writes a name calls :func:`keep_customer` / :func:`keep_product` in the same
transaction; the demo generator and the migration write the same keys in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Integer, and_, bindparam, delete, insert, literal_column, select
from sqlalchemy.orm import Session

from app.models import Customer, Product
from app.models.catalog import SearchKey
from app.models.enums import CustomerKind
from app.textkeys import KEY_LENGTH, merged_keys, name_keys, search_prefix

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


def _rows(kind: str, owner_id: int, keys: dict[str, int]) -> list[dict[str, Any]]:
    return [{"owner_kind": kind, "owner_id": owner_id, "term": k, "pos": p}
            for k, p in sorted(keys.items())]


def _sync(session: Session, kind: str, owner_id: int, keys: dict[str, int],
          *, new: bool) -> None:
    """Make the stored keys of one record ``keys``: only what differs is written."""
    if new:
        if keys:
            session.execute(insert(SearchKey), _rows(kind, owner_id, keys))
        return
    table = SearchKey.__table__
    stored = dict(session.execute(
        select(table.c.term, table.c.pos).where(table.c.owner_kind == kind,
                                               table.c.owner_id == owner_id)).all())
    gone = [k for k, p in stored.items() if keys.get(k) != p]
    if gone:
        session.execute(delete(SearchKey).where(
            SearchKey.owner_kind == kind, SearchKey.owner_id == owner_id,
            SearchKey.term.in_(gone)))
    added = {k: p for k, p in keys.items() if stored.get(k) != p}
    if added:
        session.execute(insert(SearchKey), _rows(kind, owner_id, added))


def keep_customer(session: Session, customer: Customer, *, new: bool = False) -> None:
    """Write the customer's keys after its name, short name or kind were saved (flushed:
    it has its id). ``new``: nothing is stored yet."""
    _sync(session, CUSTOMER, customer.id,
          customer_keys(customer.name, customer.short_name, customer.kind), new=new)


def keep_product(session: Session, product: Product, *, new: bool = False) -> None:
    """Write the product's keys after its name was saved (flushed: it has its id)."""
    _sync(session, PRODUCT, product.id, product_keys(product.name), new=new)


def drop_keys(session: Session, kind: str, owner_ids: Iterable[int]) -> None:
    """Remove the keys of records being deleted (or merged into another)."""
    ids = list(owner_ids)
    if ids:
        session.execute(delete(SearchKey).where(SearchKey.owner_kind == kind,
                                                SearchKey.owner_id.in_(ids)))


def all_rows(session: Session) -> Iterator[dict[str, Any]]:
    """The keys every customer and product should have, computed afresh from the names."""
    for r in session.execute(select(Customer.id, Customer.name, Customer.short_name,
                                    Customer.kind).order_by(Customer.id)):
        yield from _rows(CUSTOMER, r.id, customer_keys(r.name, r.short_name, r.kind))
    for p in session.execute(select(Product.id, Product.name).order_by(Product.id)):
        yield from _rows(PRODUCT, p.id, product_keys(p.name))


def rebuild(session: Session, *, batch: int = 5000) -> int:
    """Replace every key by one computed from the names (a repair tool and the tests'
    yardstick); returns how many keys there are."""
    session.execute(delete(SearchKey))
    count, chunk = 0, []
    for row in list(all_rows(session)):
        chunk.append(row)
        if len(chunk) >= batch:
            session.execute(insert(SearchKey), chunk)
            count, chunk = count + len(chunk), []
    if chunk:
        session.execute(insert(SearchKey), chunk)
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


def key_hits(kind: str, lo: str = "key_lo", hi: str = "key_hi") -> Any:
    """SELECT owner id, rank of the records with a key in the range of the parameters
    ``lo``/``hi`` (:func:`prefix_params`): one range of ``ix_search_keys_lookup``. The
    rank is 2 for a key starting the name, 3 for one inside it."""
    sk = SearchKey.__table__.c
    return select(sk.owner_id.label("id"),
                  (sk.pos + literal_column(str(_KEY_RANK), Integer)).label("rank")).where(
        sk.owner_kind == kind,
        and_(sk.term >= bindparam(lo, type_=sk.term.type),
             sk.term < bindparam(hi, type_=sk.term.type)))


__all__ = [
    "CUSTOMER",
    "KEY_LENGTH",
    "PRODUCT",
    "all_rows",
    "customer_keys",
    "drop_keys",
    "keep_customer",
    "keep_product",
    "key_hits",
    "prefix_params",
    "product_keys",
    "rebuild",
]
