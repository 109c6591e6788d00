"""``stationcrm print quotation|order``: by number, by --latest, and only for a logged-in user."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cli
from app.models import AuditEntry
from app.models.enums import AuditAction
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.conftest import TEST_PASSWORD
from tests.reports.conftest import CUSTOMER_NAME, MakeDoc, pdf_page_size, pdf_text


def _password(monkeypatch: pytest.MonkeyPatch, password: str = TEST_PASSWORD) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))


def _print_count(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.execute(
            select(func.count()).select_from(AuditEntry)
            .where(AuditEntry.action == AuditAction.PRINT)
        ).scalar_one()


def test_prints_a_quotation_by_number(
    uow: UnitOfWork, db_url: str, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _id, number = make_quotation(sales_user, lines=3)
    out = tmp_path / "q.pdf"
    _password(monkeypatch)

    code = cli.main(["print", "quotation", number, "--out", str(out), "--db", db_url,
                     "--user", "sales1", "--password-stdin"])

    assert code == 0, capsys.readouterr().err
    assert f"{number}: 1 page(s) written to {out}" in capsys.readouterr().out
    text = "".join("".join(pdf_text(out)).split())
    assert number in text and CUSTOMER_NAME in text
    assert _print_count(uow) == 1


def test_prints_the_latest_order_on_a5(
    uow: UnitOfWork, db_url: str, sales_user: Actor, other_sales_user: Actor,
    make_order: MakeDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    _id, mine = make_order(sales_user)
    _id, theirs = make_order(other_sales_user)
    out = tmp_path / "o.pdf"
    _password(monkeypatch)

    code = cli.main(["print", "order", "--latest", "--a5", "--out", str(out), "--db", db_url,
                     "--user", "sales1", "--password-stdin"])

    assert code == 0, capsys.readouterr().err
    # The newest order overall is a colleague's; the latest sales1 may print is their own.
    assert capsys.readouterr().out.startswith(f"{mine}: ")
    text = "".join("".join(pdf_text(out)).split())
    assert mine in text and theirs not in text
    assert round(pdf_page_size(out)[0]) == 420


def test_refuses_without_a_user(
    uow: UnitOfWork, db_url: str, sales_user: Actor, make_quotation: MakeDoc, tmp_path: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    _id, number = make_quotation(sales_user)
    out = tmp_path / "q.pdf"

    code = cli.main(["print", "quotation", number, "--out", str(out), "--db", db_url])

    assert code == 2
    err = capsys.readouterr().err
    assert "--user" in err and err.count("\n") == 1
    assert not out.exists()
    assert _print_count(uow) == 0


@pytest.mark.parametrize(("user", "password", "args", "message"), [
    ("tech1", TEST_PASSWORD, ["order", "XS-20261126-0001"], "may not"),
    ("sales2", TEST_PASSWORD, ["order", "XS-20261126-0001"], "belongs to someone else"),
    ("sales1", "wrong-password", ["order", "XS-20261126-0001"], "Wrong user name or password"),
    ("sales1", TEST_PASSWORD, ["order", "XS-19990101-0001"], "does not exist"),
    ("sales2", TEST_PASSWORD, ["quotation", "--latest"], "no quotation you may print"),
])
def test_errors_are_one_line_and_exit_2(
    uow: UnitOfWork, db_url: str, sales_user: Actor, other_sales_user: Actor,
    technician: Actor, make_order: MakeDoc, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], user: str, password: str, args: list[str],
    message: str
) -> None:
    make_order(sales_user)
    out = tmp_path / "x.pdf"
    _password(monkeypatch, password)

    code = cli.main(["print", *args, "--out", str(out), "--db", db_url, "--user", user,
                     "--password-stdin"])

    assert code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    assert _print_count(uow) == 0


def test_a_missing_output_folder_is_refused_before_logging_in(
    uow: UnitOfWork, db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = cli.main(["print", "order", "--latest", "--out", str(tmp_path / "no" / "x.pdf"),
                     "--db", db_url, "--user", "sales1", "--password-stdin"])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
