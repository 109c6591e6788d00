"""Search suffixes: Chinese text anywhere in a customer's name, and any part of a phone
number, found by an index range.

Revision ID: d3e9b7c4a1f5
Revises: c8a1d5e3f702
Create Date: 2026-12-12 09:00:00

``name_suffixes`` holds every tail of each customer's folded name and short name (北京鑫锐科技
→ 北京鑫锐科技, 京鑫锐科技, 鑫锐科技, …, cut to 16 characters), so "contains 鑫锐" is the range
of suffixes starting with 鑫锐 in ``ix_name_suffixes_lookup`` — where ``LIKE '%鑫锐%'`` read
every name (67 ms at 100 000 customers on PostgreSQL, 1.5 s at a million). The suffix column
compares by code point on every engine (collation C on PostgreSQL, a BIN2 collation on SQL
Server), so the range is the same set everywhere.

``phone_suffixes`` does the same for numbers: every tail of three digits or more of each
customer's and each contact's number, so "5678" is the range of suffixes starting with 5678
(94 ms at 100 000 customers on PostgreSQL with LIKE, 2.7 s at a million). Its rows go with
their contact (ON DELETE CASCADE); a customer's own rows are dropped before the customer
(SQL Server allows only one cascade path).

The search keys' owner index becomes covering, like the suffixes': a rename reads the
record's stored keys, and SQLite answered that from the lookup index on ``owner_kind`` alone.

A revision may not import the program, so the suffix builders below are frozen copies of
app.textkeys.name_suffixes and digit_suffixes at this revision; a test compares them.
Offline (``--sql``) the tables are made empty: fill them with the program's rebuild
(``stationcrm db search-keys``). Additive: an older program ignores the tables.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mssql, postgresql

revision: str = "d3e9b7c4a1f5"
down_revision: str | Sequence[str] | None = "c8a1d5e3f702"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- the suffix builder, frozen -------------------------------------------------------------

SUFFIX_LENGTH = 16
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_NON_DIGIT = re.compile(r"\D+")
_MIN_DIGITS = 3
_PLACE_PREFIXES = ("北京市", "北京", "上海市", "上海", "天津市", "天津", "河北", "廊坊")


def _fold(text: str | None) -> str:
    if not text:
        return ""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text).casefold())


def _without_place(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip()
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PLACE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix) + 1:
                text = text[len(prefix):]
                stripped = True
                break
    return text


def name_suffixes(name: str | None) -> dict[str, int]:
    folded = _fold(name)
    if not folded or not name:
        return {}
    starts = {0}
    core = _fold(_without_place(name))
    if core and folded.endswith(core):
        starts.add(len(folded) - len(core))
    out: dict[str, int] = {}
    for at in range(len(folded)):
        suffix = folded[at:at + SUFFIX_LENGTH]
        pos = 0 if at in starts else 1
        if out.get(suffix, 2) > pos:
            out[suffix] = pos
    return out


def customer_suffixes(name: str, short_name: str | None) -> dict[str, int]:
    out = name_suffixes(name)
    for suffix, pos in name_suffixes(short_name).items():
        if out.get(suffix, 2) > pos:
            out[suffix] = pos
    return out


def digit_suffixes(*numbers: str | None) -> set[str]:
    out: set[str] = set()
    for number in numbers:
        digits = _NON_DIGIT.sub("", unicodedata.normalize("NFKC", number)) if number else ""
        out.update(digits[at:] for at in range(len(digits) - _MIN_DIGITS + 1))
    return out


# --- the schema -----------------------------------------------------------------------------

_SUFFIX_TYPE = (sa.Unicode(length=16)
                .with_variant(postgresql.VARCHAR(16, collation="C"), "postgresql")
                .with_variant(mssql.NVARCHAR(16, collation="Latin1_General_100_BIN2"), "mssql"))
_DIGITS_TYPE = (sa.String(length=40)
                .with_variant(postgresql.VARCHAR(40, collation="C"), "postgresql")
                .with_variant(mssql.VARCHAR(40, collation="Latin1_General_100_BIN2"), "mssql"))
_PHONES = sa.table("phone_suffixes", sa.column("customer_id", sa.Integer),
                   sa.column("contact_id", sa.Integer), sa.column("suffix", sa.String))
_SUFFIXES = sa.table("name_suffixes", sa.column("owner_kind", sa.String),
                     sa.column("owner_id", sa.Integer), sa.column("suffix", sa.Unicode),
                     sa.column("pos", sa.SmallInteger))


def _fill(conn: sa.Connection) -> None:
    customers = conn.execute(sa.text(
        "SELECT id, name, short_name FROM customers ORDER BY id")).all()

    def rows() -> Iterator[dict[str, object]]:
        for r in customers:
            for suffix, pos in sorted(customer_suffixes(r.name, r.short_name).items()):
                yield {"owner_kind": "c", "owner_id": r.id, "suffix": suffix, "pos": pos}

    stream = rows()
    while chunk := list(itertools.islice(stream, 5000)):
        conn.execute(_SUFFIXES.insert(), chunk)

    def phone_rows() -> Iterator[dict[str, object]]:
        for r in conn.execute(sa.text(
                "SELECT id, phone_digits FROM customers WHERE phone_digits IS NOT NULL"
                " ORDER BY id")).all():
            for suffix in sorted(digit_suffixes(r.phone_digits)):
                yield {"customer_id": r.id, "contact_id": None, "suffix": suffix}
        for k in conn.execute(sa.text(
                "SELECT id, customer_id, phone_digits, mobile_digits FROM contacts"
                " ORDER BY id")).all():
            for suffix in sorted(digit_suffixes(k.phone_digits, k.mobile_digits)):
                yield {"customer_id": k.customer_id, "contact_id": k.id, "suffix": suffix}

    phones = phone_rows()
    while chunk := list(itertools.islice(phones, 5000)):
        conn.execute(_PHONES.insert(), chunk)


def upgrade() -> None:
    op.create_table(
        "name_suffixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(length=1), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("suffix", _SUFFIX_TYPE, nullable=False),
        sa.Column("pos", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_name_suffixes")),
    )
    op.create_table(
        "phone_suffixes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("suffix", _DIGITS_TYPE, nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"],
                                name=op.f("fk_phone_suffixes_contact_id_contacts"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_phone_suffixes_customer_id_customers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_suffixes")),
    )
    if not op.get_context().as_sql:
        # Filled before their indexes: one sort per index instead of a million inserts
        # into them.
        _fill(op.get_bind())
    op.create_index("ix_name_suffixes_lookup", "name_suffixes",
                    ["owner_kind", "suffix", "pos", "owner_id"])
    op.create_index("ix_name_suffixes_owner", "name_suffixes",
                    ["owner_kind", "owner_id", "suffix", "pos"])
    # A record's own keys, read before a rename writes the difference: covering, or SQLite
    # prefers the covering lookup index on owner_kind alone and walks every customer's
    # keys (3.9 s per rename at a million customers).
    op.drop_index("ix_search_keys_owner", table_name="search_keys")
    op.create_index("ix_search_keys_owner", "search_keys",
                    ["owner_kind", "owner_id", "term", "pos"])
    op.create_index("ix_phone_suffixes_lookup", "phone_suffixes", ["suffix", "customer_id"])
    op.create_index("ix_phone_suffixes_customer_id", "phone_suffixes", ["customer_id"])
    op.create_index("ix_phone_suffixes_contact_id", "phone_suffixes", ["contact_id"])


def downgrade() -> None:
    op.drop_index("ix_search_keys_owner", table_name="search_keys")
    op.create_index("ix_search_keys_owner", "search_keys", ["owner_kind", "owner_id"])
    op.drop_index("ix_phone_suffixes_contact_id", table_name="phone_suffixes")
    op.drop_index("ix_phone_suffixes_customer_id", table_name="phone_suffixes")
    op.drop_index("ix_phone_suffixes_lookup", table_name="phone_suffixes")
    op.drop_table("phone_suffixes")
    op.drop_index("ix_name_suffixes_owner", table_name="name_suffixes")
    op.drop_index("ix_name_suffixes_lookup", table_name="name_suffixes")
    op.drop_table("name_suffixes")
