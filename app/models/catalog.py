"""The product catalog (产品目录): what is sold, at what cost, price and sales points."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, Integer, SmallInteger, String, Unicode
from sqlalchemy.dialects import mssql, postgresql
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, Flag, Money, Points, Text20, Text100, Text200, Text500, Tracked
from app.models.enums import ProductCategory


class Product(Tracked, Base):
    """A catalog item. ``cost_price`` is a protected field most roles never see."""

    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_category_active", "category", "active"),
        Index("ix_products_model", "model"),
        Index("ix_products_pinyin_initials", "pinyin_initials"),
        # The list's own order: the names by pinyin.
        Index("ix_products_sort_key", "sort_key", "id"),
    )

    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[Text200]
    pinyin_initials: Mapped[str] = mapped_column(String(200), default="")
    # Pinyin of the name (app.textkeys.sort_key): the catalog lists products by name.
    sort_key: Mapped[str] = mapped_column(String(400), default="", server_default="")
    category: Mapped[ProductCategory]
    brand: Mapped[Text100 | None]
    model: Mapped[Text100 | None]
    unit: Mapped[Text20] = mapped_column(default="台")
    # Deferred: most roles may not read it (a column grant on a secured server), so loading
    # a product never selects it; a service that shows it asks for it.
    cost_price: Mapped[Money] = mapped_column(default=Decimal("0.00"), deferred=True)
    list_price: Mapped[Money] = mapped_column(default=Decimal("0.00"))
    sales_points: Mapped[Points] = mapped_column(default=Decimal("0.00"))
    active: Mapped[Flag] = mapped_column(default=True)
    notes: Mapped[Text500 | None]


class SearchKey(Base):
    """A string a customer or product is found by (app.textkeys.name_keys): the pinyin
    initials and the full pinyin of its name from each syllable on, in every reading.

    ``owner_kind`` is ``c`` (customer) or ``p`` (product), ``owner_id`` its id; ``pos`` is
    0 where the key starts the name (or the name after its place, or the short name), 1
    inside it, so a search ranks the first kind higher. Only ids and keys: who may see the
    record is the record's own rows' business (searches join back to them). Kept in the
    same transaction as the name by app.services.search_keys.
    """

    __tablename__ = "search_keys"
    __table_args__ = (
        # A search is one range of this index, read without the table, which gives each
        # match its place in pinyin order too (sort_key).
        Index("ix_search_keys_lookup", "owner_kind", "term", "pos", "owner_id", "sort_key"),
        # A record's own keys (compared before a rename writes the difference), read
        # without the table: covering, or SQLite prefers the covering lookup index on
        # owner_kind alone and walks every customer's keys (3.9 s at a million).
        Index("ix_search_keys_owner", "owner_kind", "owner_id", "term", "pos"),
    )

    owner_kind: Mapped[str] = mapped_column(String(1))
    owner_id: Mapped[int] = mapped_column(Integer)
    # The key itself ("term": KEY is a reserved word on SQL Server). ASCII, like the other
    # pinyin keys: a prefix is an index range on every engine.
    term: Mapped[str] = mapped_column(String(32))
    pos: Mapped[int] = mapped_column(SmallInteger)
    # The record's own sort key (Customer.sort_key, Product.sort_key), rewritten with it: a
    # text that finds thousands of records picks its first page in pinyin order from this
    # index alone, instead of looking up every record it found (15 of PostgreSQL's 21 ms
    # for two characters found in 5 463 names of a million; migration c9e4a7f2b318).
    sort_key: Mapped[str] = mapped_column(String(400), default="", server_default="")


# A suffix compares character by character (code point order) on every engine, so that "the
# suffixes starting with 鑫锐" is the range [鑫锐, 鑫锓): SQLite's BINARY already does; on
# PostgreSQL and SQL Server the column gets a binary collation instead of the database's
# linguistic one (Chinese_PRC sorts by pinyin, where that range would miss names).
SUFFIX_TYPE = (Unicode(16)
               .with_variant(postgresql.VARCHAR(16, collation="C"), "postgresql")
               .with_variant(mssql.NVARCHAR(16, collation="Latin1_General_100_BIN2"), "mssql"))


class NameSuffix(Base):
    """A tail of a customer's name or short name (app.textkeys.name_suffixes), so that a
    Chinese text is found anywhere in a name by one index range.

    ``owner_kind`` is ``c`` (customer), ``owner_id`` its id; ``pos`` is 0 where the suffix
    starts the name (or the name after its place, or the short name), 1 inside it. Only ids
    and the names the directory shows every login anyway; kept in the same transaction as
    the name by app.services.search_keys.
    """

    __tablename__ = "name_suffixes"
    __table_args__ = (
        # A search is one range of this index, read without the table (with the sort key,
        # as the search keys').
        Index("ix_name_suffixes_lookup", "owner_kind", "suffix", "pos", "owner_id",
              "sort_key"),
        # A record's own suffixes, covering (see SearchKey's owner index).
        Index("ix_name_suffixes_owner", "owner_kind", "owner_id", "suffix", "pos"),
    )

    owner_kind: Mapped[str] = mapped_column(String(1))
    owner_id: Mapped[int] = mapped_column(Integer)
    suffix: Mapped[str] = mapped_column(SUFFIX_TYPE)
    pos: Mapped[int] = mapped_column(SmallInteger)
    # The customer's sort key, as in SearchKey.
    sort_key: Mapped[str] = mapped_column(String(400), default="", server_default="")
