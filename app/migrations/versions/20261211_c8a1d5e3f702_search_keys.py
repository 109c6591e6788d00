"""Search keys: pinyin as people type it, found anywhere in a name by an index range.

Revision ID: c8a1d5e3f702
Revises: b4f7e2a9c1d3
Create Date: 2026-12-11 09:00:00

``search_keys`` holds, for every customer and product, the pinyin initials and the full
pinyin of its name from each syllable on, in every reading of its characters (places and
surnames in their own), so "fyz" finds 得力复印纸 and "sx" 单县…: each search is one range
of ``ix_search_keys_lookup``. Products get ``sort_key`` (pinyin of the name) and are listed
by it. Person customers whose surname has its own reading (曾 zeng) get their sort key again.

A revision may not import the program (it must keep working when the program changes), so
the key builder below is a frozen copy of app.textkeys.name_keys at this revision; a test
compares the two. Offline (``--sql``) the table is made empty: fill it with the program's
rebuild (app.services.search_keys.rebuild). Additive: an older program ignores the table.
"""

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from pypinyin import Style, lazy_pinyin, pinyin

revision: str = "c8a1d5e3f702"
down_revision: str | Sequence[str] | None = "b4f7e2a9c1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# --- the key builder, frozen ----------------------------------------------------------------

KEY_LENGTH = 32
_KEY_SYLLABLES = 16
_MAX_COMBINATIONS = 8
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "公司",
                     "co.,ltd.", "co.,ltd", "co.ltd", "co., ltd.", "ltd.", "ltd", "inc.", "inc")
_PLACE_PREFIXES = ("北京市", "北京", "上海市", "上海", "天津市", "天津", "河北", "廊坊")
_PLACES = {
    "单县": ("shan", "xian"), "六安": ("lu", "an"), "蚌埠": ("beng", "bu"),
    "丽水": ("li", "shui"), "乐亭": ("lao", "ting"), "番禺": ("pan", "yu"),
    "铅山": ("yan", "shan"), "台州": ("tai", "zhou"), "天台": ("tian", "tai"),
    "洪洞": ("hong", "tong"), "东阿": ("dong", "e"), "大城": ("da", "cheng"),
    "厦门": ("xia", "men"), "重庆": ("chong", "qing"),
}
_SURNAMES = {
    "曾": ("zeng",), "单": ("shan",), "解": ("xie",), "仇": ("qiu",), "区": ("ou",),
    "查": ("zha",), "朴": ("piao",), "盖": ("ge",), "乐": ("yue",), "覃": ("qin",),
    "翟": ("zhai",), "缪": ("miao",), "秘": ("bi",), "种": ("chong",), "召": ("shao",),
    "员": ("yun",), "繁": ("po",), "黑": ("he",), "万俟": ("mo", "qi"), "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"), "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "沈": ("shen",),
    "任": ("ren",), "华": ("hua",), "纪": ("ji",), "冼": ("xian",), "宁": ("ning",),
    "柏": ("bai",), "薄": ("bo",), "牟": ("mou",), "藏": ("zang",), "蕃": ("pi",),
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _word_readings(run: str) -> list[tuple[str, ...]]:
    preferred = lazy_pinyin(run, style=Style.NORMAL, errors="default")
    every = pinyin(run, style=Style.NORMAL, heteronym=True, errors="default")
    if len(preferred) != len(run) or len(every) != len(run):
        return [r for ch in run for r in _word_readings(ch)] if len(run) > 1 else [("",)]
    out = []
    for first, all_ in zip(preferred, every, strict=True):
        readings = [first, *(r for r in all_ if r != first)]
        out.append(tuple(_ascii(r.lower()) for r in readings[:3]))
    return out


def _syllables(name: str, person: bool) -> tuple[tuple[str, ...], ...]:
    text = unicodedata.normalize("NFKC", name)
    out: list[tuple[str, ...]] = []
    for index, run in enumerate(_CJK.split(text)):
        if not run:
            continue
        if index % 2 == 0:
            out.extend((w,) for w in (_ascii(p.lower()) for p in _PUNCT.split(run)) if w)
            continue
        readings = _word_readings(run)
        for place, fixed in _PLACES.items():
            at = run.find(place)
            while at >= 0:
                readings[at:at + len(place)] = [(r,) for r in fixed]
                at = run.find(place, at + len(place))
        if person and not out:
            for surname in sorted(_SURNAMES, key=len, reverse=True):
                if run.startswith(surname):
                    readings[:len(surname)] = [(r,) for r in _SURNAMES[surname]]
                    break
        out.extend(r for r in readings if r[0])
    return tuple(out)


def _combinations(window: tuple[tuple[str, ...], ...]) -> list[tuple[str, ...]]:
    count = 1
    for readings in window:
        count *= len(readings)
    if count <= _MAX_COMBINATIONS:
        return list(itertools.product(*window))
    preferred = tuple(r[0] for r in window)
    out = [preferred]
    for at, readings in enumerate(window):
        for other in readings[1:]:
            out.append((*preferred[:at], other, *preferred[at + 1:]))
            if len(out) >= _MAX_COMBINATIONS:
                return out
    return out


def _without_place(text: str) -> str:
    stripped = True
    while stripped:
        stripped = False
        for prefix in _PLACE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix) + 1:
                text = text[len(prefix):]
                stripped = True
                break
    return text


def name_keys(name: str | None, *, person: bool = False, core_start: bool = True
              ) -> dict[str, int]:
    """{key: 0 at a start of the name, 1 inside} (app.textkeys.name_keys, frozen)."""
    if not name:
        return {}
    whole = text = unicodedata.normalize("NFKC", name).strip()
    folded = text.casefold()
    for suffix in _COMPANY_SUFFIXES:
        if folded.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    syllables = _syllables(whole, person)
    ends = len(_syllables(text, person)) or len(syllables)
    starts = {0}
    if core_start:
        bare = unicodedata.normalize("NFKC", text).strip()
        place = len(_syllables(bare[: len(bare) - len(_without_place(bare))], False))
        if 0 < place < ends:
            starts.add(place)
    keys: dict[str, int] = {}
    for start in range(ends):
        pos = 0 if start in starts else 1
        for combo in _combinations(syllables[start:start + _KEY_SYLLABLES]):
            for key in ("".join(s if s.isdigit() else s[:1] for s in combo)[:KEY_LENGTH],
                        "".join(combo)[:KEY_LENGTH]):
                if key and keys.get(key, 2) > pos:
                    keys[key] = pos
    return keys


def sort_key(name: str) -> str:
    """app.textkeys.sort_key, frozen."""
    syllables = lazy_pinyin(unicodedata.normalize("NFKC", name), style=Style.NORMAL,
                            errors="default")
    words = (_PUNCT.sub("", _ascii(s.lower())) for s in syllables)
    return " ".join(w for w in words if w)[:400]


def person_sort_key(name: str) -> str | None:
    """app.textkeys.person_sort_key, frozen; None when the surname reads as usual."""
    text = unicodedata.normalize("NFKC", name).strip()
    for surname in sorted(_SURNAMES, key=len, reverse=True):
        if text.startswith(surname):
            rest = sort_key(text[len(surname):])
            return " ".join((*_SURNAMES[surname], *([rest] if rest else [])))[:400]
    return None


def customer_keys(name: str, short_name: str | None, kind: str) -> dict[str, int]:
    keys = name_keys(name, person=kind == "person")
    for key, pos in name_keys(short_name).items():
        if keys.get(key, 2) > pos:
            keys[key] = pos
    return keys


# --- the schema -----------------------------------------------------------------------------

_KEYS = sa.table("search_keys", sa.column("owner_kind", sa.String), sa.column("owner_id",
                 sa.Integer), sa.column("term", sa.String), sa.column("pos", sa.SmallInteger))


def _batches(rows: Iterator[dict[str, object]], size: int = 5000
             ) -> Iterator[list[dict[str, object]]]:
    while chunk := list(itertools.islice(rows, size)):
        yield chunk


def _fill(conn: sa.Connection) -> None:
    customers = conn.execute(sa.text(
        "SELECT id, name, short_name, kind FROM customers ORDER BY id")).all()

    def customer_rows() -> Iterator[dict[str, object]]:
        for r in customers:
            for key, pos in sorted(customer_keys(r.name, r.short_name, r.kind).items()):
                yield {"owner_kind": "c", "owner_id": r.id, "term": key, "pos": pos}

    for chunk in _batches(customer_rows()):
        conn.execute(_KEYS.insert(), chunk)
    products = conn.execute(sa.text("SELECT id, name FROM products ORDER BY id")).all()

    def product_rows() -> Iterator[dict[str, object]]:
        for r in products:
            for key, pos in sorted(name_keys(r.name, core_start=False).items()):
                yield {"owner_kind": "p", "owner_id": r.id, "term": key, "pos": pos}

    for chunk in _batches(product_rows()):
        conn.execute(_KEYS.insert(), chunk)
    # The products' pinyin order, and persons whose surname reads otherwise (曾 under z).
    updates = [{"k": sort_key(r.name), "i": r.id} for r in products]
    if updates:
        conn.execute(sa.text("UPDATE products SET sort_key = :k WHERE id = :i"), updates)
    persons = [{"k": k, "i": r.id} for r in customers if r.kind == "person"
               and (k := person_sort_key(r.name)) is not None]
    if persons:
        conn.execute(sa.text("UPDATE customers SET sort_key = :k WHERE id = :i"), persons)


def upgrade() -> None:
    op.create_table(
        "search_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_kind", sa.String(length=1), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=32), nullable=False),
        sa.Column("pos", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_keys")),
    )
    op.create_index("ix_search_keys_lookup", "search_keys",
                    ["owner_kind", "term", "pos", "owner_id"])
    op.create_index("ix_search_keys_owner", "search_keys", ["owner_kind", "owner_id"])
    # Not a batch: on SQLite that would copy the table, which its cost triggers refuse.
    op.add_column("products", sa.Column("sort_key", sa.String(length=400), nullable=False,
                                        server_default=""))
    op.create_index("ix_products_sort_key", "products", ["sort_key", "id"])
    if not op.get_context().as_sql:
        _fill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_products_sort_key", table_name="products")
    op.drop_column("products", "sort_key", mssql_drop_default=True)
    op.drop_index("ix_search_keys_owner", table_name="search_keys")
    op.drop_index("ix_search_keys_lookup", table_name="search_keys")
    op.drop_table("search_keys")
