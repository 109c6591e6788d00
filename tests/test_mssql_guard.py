"""The SQL Server compile gate (tests/mssql_guard.py) and its Unicode rule.

Every statement the suite runs goes through the gate; these tests show that it catches a
string SQL Server would receive as VARCHAR where the column is NVARCHAR, lets the cases it
is meant to let through pass, and that the customer search binds its text as each column
needs.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import (
    Engine,
    Integer,
    String,
    Unicode,
    bindparam,
    func,
    insert,
    literal,
    select,
    type_coerce,
    update,
)

from app.models import Customer, Device, Visit
from app.models.enums import DataScope, VisitKind
from app.services import customers
from app.services.customers import search_condition, search_shape
from app.services.paging import Sort, first_rows
from app.services.permissions import SCOPE_DEPARTMENT, SCOPE_USER
from tests.mssql_guard import (
    MssqlIncompatible,
    NonUnicodeBind,
    compile_for_mssql,
    non_unicode_comparisons,
)

# A search statement as the issue found it: Chinese text bound as String (VARCHAR).
BAD_SEARCH = select(Customer.id).where(
    Customer.name.like(bindparam("anywhere", type_=String), escape="/"))


def test_the_gate_fails_a_statement_with_a_non_unicode_string_bind() -> None:
    with pytest.raises(NonUnicodeBind, match=r"'anywhere'.*customers\.name"):
        compile_for_mssql(BAD_SEARCH)


def test_the_gate_fails_the_test_run_when_such_a_statement_is_executed(engine: Engine) -> None:
    # The session engine carries the gate (tests/conftest.py): running the statement fails
    # before it reaches the database, whatever the database is.
    with engine.connect() as conn, pytest.raises(NonUnicodeBind):
        conn.execute(BAD_SEARCH, {"anywhere": "%鑫锐%"})


@pytest.mark.parametrize("statement", [
    pytest.param(select(Customer.id).where(Customer.name == bindparam("n", type_=String)),
                 id="equals"),
    pytest.param(select(Customer.id).where(
        Customer.name.between(bindparam("lo", type_=String), bindparam("hi", type_=String))),
        id="between"),
    pytest.param(select(Customer.id).where(
        Customer.name >= bindparam("lo", type_=String)), id="range"),
    pytest.param(select(Customer.id).where(Customer.name.in_(
        bindparam("names", expanding=True, type_=String))), id="in"),
    pytest.param(select(Customer.id).where(
        type_coerce(Customer.name, String) == bindparam("n", type_=String)),
        id="type_coerce hides the column"),
    pytest.param(select(Customer.id).where(
        bindparam("n", type_=String) == Customer.short_name), id="parameter on the left"),
    pytest.param(update(Customer).where(Customer.id == 1).values(
        name=bindparam("n", type_=String)), id="update"),
    pytest.param(insert(Customer).values(name=literal("x", String)), id="insert"),
])
def test_a_varchar_parameter_meeting_an_nvarchar_column_is_refused(statement) -> None:
    assert non_unicode_comparisons(statement)
    with pytest.raises(NonUnicodeBind):
        compile_for_mssql(statement)


def test_non_ascii_text_in_a_varchar_parameter_is_refused_where_it_is_kept_or_shown() -> None:
    # Written into a VARCHAR column: SQL Server would keep '?' where the code page has no
    # such character.
    with pytest.raises(NonUnicodeBind, match="non-ASCII"):
        compile_for_mssql(update(Customer).where(Customer.id == 1).values(pinyin_full="lü"))
    with pytest.raises(NonUnicodeBind, match="non-ASCII"):
        compile_for_mssql(insert(Device).values(serial_number=bindparam("s")), [{"s": "序列"}])
    # Selected, or handed to a function.
    with pytest.raises(NonUnicodeBind, match="non-ASCII"):
        compile_for_mssql(select(literal("张三", String(20))))
    with pytest.raises(NonUnicodeBind, match="non-ASCII"):
        compile_for_mssql(select(func.upper(bindparam("x", type_=String))), [{"x": "鑫锐"}])


def test_typed_text_may_look_up_a_code_whatever_it_holds() -> None:
    # Compared with a VARCHAR column only: non-ASCII text finds no code on any engine.
    by_pinyin = select(Customer.id).where(Customer.pinyin_full >= bindparam("lo", type_=String))
    compile_for_mssql(by_pinyin, [{"lo": "beijing"}])
    compile_for_mssql(by_pinyin, [{"lo": "北京"}])
    compile_for_mssql(select(Device.id).where(Device.serial_number.in_(["序列", "ＳＮ１"])))
    # The same parameter also selected: refused.
    both = select(Customer.id, bindparam("lo", type_=String)).where(
        Customer.pinyin_full >= bindparam("lo", type_=String))
    with pytest.raises(NonUnicodeBind, match="non-ASCII"):
        compile_for_mssql(both, [{"lo": "北京"}])


@pytest.mark.parametrize("statement", [
    # Codes in VARCHAR columns: a VARCHAR parameter is right (an NVARCHAR one would make
    # SQL Server convert the indexed column).
    pytest.param(select(Customer.id).where(Customer.pinyin_initials >= bindparam(
        "lo", type_=String)), id="pinyin range"),
    pytest.param(select(Device.id).where(Device.serial_number == "CN12345"), id="serial"),
    pytest.param(select(Visit.id).where(Visit.kind == VisitKind.PHONE), id="enum"),
    # An ASCII code as a constant in the select list.
    pytest.param(select(literal("visit", String(20)).label("kind")), id="literal code"),
    # Unicode parameters for Unicode columns, and a plain value that takes the column's type.
    pytest.param(select(Customer.id).where(Customer.name.like(
        bindparam("anywhere", type_=Unicode))), id="unicode like"),
    pytest.param(select(Customer.id).where(Customer.name == "北京鑫锐科技"), id="plain value"),
    pytest.param(update(Customer).where(Customer.id == 1).values(name="鑫锐"), id="update"),
])
def test_what_the_rule_lets_through(statement) -> None:
    assert non_unicode_comparisons(statement) == []
    compile_for_mssql(statement)


SEARCH_TEXTS = ["12", "13812345678", "bjxr", "HP1020", "鑫锐", "张 伟"]


@pytest.mark.parametrize(("text", "phones_hidden"),
                         list(itertools.product(SEARCH_TEXTS, [False, True])))
def test_every_customer_search_binds_its_text_as_its_column_needs(
        text: str, phones_hidden: bool) -> None:
    shape = search_shape(text)
    for scope, paged in itertools.product(DataScope, [False, True]):
        statement = customers._search_statement(shape, scope, phones_hidden, paged)
        assert non_unicode_comparisons(statement) == [], (shape, scope, paged)
        compile_for_mssql(statement)
    condition, params = search_condition(text, phones_of=1 if phones_hidden else None)
    compile_for_mssql(select(Customer.id).where(condition), [params])


def test_the_customer_search_binds_names_as_unicode_and_keys_as_varchar() -> None:
    words = customers._search_statement("words", DataScope.ALL).compile()
    letters = customers._search_statement("letters", DataScope.ALL).compile()
    digits = customers._search_statement("digits", DataScope.ALL).compile()
    assert isinstance(words.binds["anywhere"].type, Unicode)  # custom text fields
    assert isinstance(words.binds["suffix_lo"].type, Unicode)  # name suffixes (NVARCHAR)
    assert isinstance(words.binds["lo"].type, Unicode)  # contacts' names
    assert isinstance(letters.binds["lo"].type, Unicode)  # normalised names (NVARCHAR)
    assert not isinstance(letters.binds["key_lo"].type, Unicode)  # pinyin search keys
    assert not isinstance(digits.binds["digits_lo"].type, Unicode)  # phone suffixes


def test_a_subquery_cut_to_a_page_size_parameter_keeps_its_order_by() -> None:
    """SQLAlchemy writes OFFSET … FETCH for a subquery's parameter page size but leaves
    its ORDER BY out, which SQL Server refuses; with first_rows it keeps it."""
    ordered = select(Customer.id).order_by(Customer.sort_key, Customer.id)
    size = bindparam("n", type_=Integer)
    with pytest.raises(MssqlIncompatible, match="OFFSET without ORDER BY"):
        compile_for_mssql(select(ordered.limit(size).subquery()))
    sql = compile_for_mssql(select(first_rows(ordered, size).subquery()))
    inner = sql[sql.index("(") + 1:sql.rindex(")")]
    assert inner.index("ORDER BY") < inner.index("OFFSET")
    # A page size written into the text is TOP, which needs no OFFSET.
    assert "TOP" in compile_for_mssql(select(ordered.limit(50).subquery()))


@pytest.mark.parametrize("paged", [False, True], ids=["first page", "next page"])
@pytest.mark.parametrize("shape", ["all", "letters", "code", "words", "phrase", "digits"])
def test_every_customer_list_statement_passes_the_gate(shape: str, paged: bool) -> None:
    for scope, phones_hidden in itertools.product(DataScope, (False, True)):
        compile_for_mssql(customers._search_statement(shape, scope, phones_hidden, paged))


# A cursor's value per sort key: the lifecycle columns sort by their place (a number).
_SORT_VALUE = {"customer_class": 1, "source": 1, "status": 1}


@pytest.mark.parametrize("position", ["first page", "after a value", "after an empty value"])
@pytest.mark.parametrize("key", customers.CUSTOMER_SORT_KEYS)
def test_every_sorted_customer_list_statement_passes_the_gate(key: str, position: str) -> None:
    """The list sorted by a column: the page's statement and, for a column that may be
    empty, the second one that reads the rows without a value (paging.split_page), for
    every data scope, with phones shown and hidden, up and down, with and without text."""
    after: Any = {"first page": None, "after a value": (_SORT_VALUE.get(key, "x"), 7),
                  "after an empty value": (None, 7)}[position]
    compiled = 0
    for scope, phones_hidden, descending, text in itertools.product(
            DataScope, (False, True), (False, True), ("", "鑫锐", "bjxr", "1381")):
        shape, text_params = customers._text_params(text)
        query = customers._page_query(
            shape, text_params, scope, {SCOPE_USER: 3, SCOPE_DEPARTMENT: 2}, phones_hidden,
            customers.CustomerFilters(), after, 50, Sort(key, descending))
        for stmt in (query.page.statement, query.page.nulls):
            if stmt is not None:
                compile_for_mssql(stmt)
                compiled += 1
    # The first statement of every combination, and a second one for the empty values.
    assert compiled >= len(DataScope) * 2 * 2 * 4
