"""``stationcrm bench --import-customers N``: a generated GBK sheet planned and imported,
with the two operations' times and the peak memory as JSON."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app import cli
from app.bench_import import HEADER, write_sheet
from app.models import Contact, Customer


def test_the_sheet_is_gbk_with_distinct_customers_and_their_contacts(tmp_path: Path) -> None:
    sheet = tmp_path / "c.csv"
    rows = write_sheet(sheet, 200, seed=3)
    with sheet.open(encoding="gbk", newline="") as f:
        read = list(csv.reader(f))
    assert tuple(read[0]) == HEADER and len(read) - 1 == rows
    # A customer's further contacts are rows of their own under the same name.
    names = [r[0] for r in read[1:]]
    assert len(set(names)) == 200 < rows == len(names)
    assert all(len(r[4]) == 11 and r[4].startswith("1") for r in read[1:])
    # The same seed gives the same sheet.
    again = tmp_path / "again.csv"
    write_sheet(again, 200, seed=3)
    assert again.read_bytes() == sheet.read_bytes()


def test_the_import_bench_reports_both_operations_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
    code = cli.main(["bench", "--import-customers", "40", "--json", "--db", url,
                     "--out", str(tmp_path / "out.json")])
    assert code == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["operation"] for r in records] == ["import dry run", "import"]
    assert all(r["engine"] == "sqlite" and r["customers"] == 40 and r["rows"] > 40
               and r["service_ms"] > 0 for r in records)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == records
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 40
        contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    engine.dispose()
    assert contacts == records[0]["rows"]
