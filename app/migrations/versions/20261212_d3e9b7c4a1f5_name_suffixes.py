"""Name suffixes: Chinese text found anywhere in a customer's name by an index range.

Revision ID: d3e9b7c4a1f5
Revises: c8a1d5e3f702
Create Date: 2026-12-12 09:00:00

``name_suffixes`` holds every tail of each customer's folded name and short name (北京鑫锐科技
→ 北京鑫锐科技, 京鑫锐科技, 鑫锐科技, …, cut to 16 characters), so "contains 鑫锐" is the range
of suffixes starting with 鑫锐 in ``ix_name_suffixes_lookup`` — where ``LIKE '%鑫锐%'`` read
every name (67 ms at 100 000 customers on PostgreSQL, 1.5 s at a million). The suffix column
compares by code point on every engine (collation C on PostgreSQL, a BIN2 collation on SQL
Server), so the range is the same set everywhere.

A revision may not import the program, so the suffix builder below is a frozen copy of
app.textkeys.name_suffixes at this revision; a test compares the two. Offline (``--sql``)
the table is made empty: fill it with the program's rebuild
(app.services.search_keys.rebuild). Additive: an older program ignores the table.
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


# --- the schema -----------------------------------------------------------------------------

_SUFFIX_TYPE = (sa.Unicode(length=16)
                .with_variant(postgresql.VARCHAR(16, collation="C"), "postgresql")
                .with_variant(mssql.NVARCHAR(16, collation="Latin1_General_100_BIN2"), "mssql"))
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
    if not op.get_context().as_sql:
        # Filled before its indexes: one sort per index instead of a million inserts
        # into them.
        _fill(op.get_bind())
    op.create_index("ix_name_suffixes_lookup", "name_suffixes",
                    ["owner_kind", "suffix", "pos", "owner_id"])
    op.create_index("ix_name_suffixes_owner", "name_suffixes", ["owner_kind", "owner_id"])


def downgrade() -> None:
    op.drop_index("ix_name_suffixes_owner", table_name="name_suffixes")
    op.drop_index("ix_name_suffixes_lookup", table_name="name_suffixes")
    op.drop_table("name_suffixes")
