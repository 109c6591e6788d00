"""The command line speaks the station's language, or the one ``--lang`` names."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli, i18n
from app.services.customers import CustomerDraft, create_customer
from tests.conftest import TEST_PASSWORD


@pytest.fixture(autouse=True)
def english_after() -> Iterator[None]:
    yield
    i18n.set_language("en")


def _refused_export(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    capsys: pytest.CaptureFixture[str], before: tuple[str, ...] = (),
                    after: tuple[str, ...] = ()) -> str:
    """``stationcrm [before] export customers … [after]`` as sales1, who may not export."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    code = cli.main([*before, "export", "customers", "--user", "sales1", "--password-stdin",
                     "--out", str(tmp_path / "c.csv"), "--db", db_url, *after])
    assert code == cli.EXIT_ERROR
    return capsys.readouterr().err


def test_a_refusal_with_lang_zh_is_chinese(uow, db_url, sales_user, tmp_path, monkeypatch,
                                           capsys) -> None:
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技"))
    err = _refused_export(db_url, tmp_path, monkeypatch, capsys, ("--lang", "zh"))
    assert "您没有在“客户”中导出的权限。（sales1 的导出被拒绝）" in err
    assert not list(tmp_path.iterdir())


def test_lang_may_follow_the_command(uow, db_url, sales_user, tmp_path, monkeypatch,
                                     capsys) -> None:
    err = _refused_export(db_url, tmp_path, monkeypatch, capsys, after=("--lang", "zh"))
    assert "您没有在“客户”中导出的权限" in err


def test_without_lang_the_stations_language_is_used(uow, db_url, sales_user, tmp_path,
                                                    monkeypatch, capsys) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "station.toml").write_text('language = "zh"\n', encoding="utf-8")
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    monkeypatch.delenv("STATIONCRM_LANG", raising=False)
    monkeypatch.delenv("STATIONCRM_LANGUAGE", raising=False)
    out = tmp_path / "out"
    out.mkdir()
    assert "您没有在“客户”中导出的权限" in _refused_export(db_url, out, monkeypatch, capsys)
    # --lang wins over the station's setting.
    assert "You may not export in Customers. (export refused for sales1)" in _refused_export(
        db_url, out, monkeypatch, capsys, ("--lang", "en"))


def test_the_report_keeps_its_own_lang_for_the_file() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["--lang", "en", "report", "product-sales", "--from",
                              "2026-01-01", "--to", "2026-02-01", "--out", "r.xlsx",
                              "--lang", "zh"])
    assert (args.language, args.lang) == ("en", "zh")


def test_a_commands_own_lines_follow_lang(tmp_path: Path, capsys) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    assert cli.main(["--lang", "zh", "db", "upgrade", "--db", url]) == cli.EXIT_OK
    assert "数据库结构已从 （空） 升级到" in capsys.readouterr().out
    assert cli.main(["db", "check", "--db", url, "--lang", "zh"]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == "数据库结构与程序一致"
    assert cli.main(["--lang", "en", "db", "check", "--db", url]) == cli.EXIT_OK
    assert capsys.readouterr().out.strip() == "Schema matches the models"


def test_a_refusal_before_the_login_follows_lang(tmp_path: Path, capsys) -> None:
    report = ["report", "product-sales", "--from", "2026-01-01", "--to", "2026-03-31"]
    assert cli.main(["--lang", "zh", *report, "--out", str(tmp_path / "r.xlsx")]
                    ) == cli.EXIT_ERROR
    assert "生成报表需要登录" in capsys.readouterr().err
    assert cli.main(["--lang", "zh", *report, "--user", "gm", "--out",
                     str(tmp_path / "r.doc")]) == cli.EXIT_ERROR
    assert "--out 必须指定一个 .xlsx 或 .pdf 文件" in capsys.readouterr().err
    assert cli.main(["--lang", "en", *report, "--user", "gm", "--out",
                     str(tmp_path / "r.doc")]) == cli.EXIT_ERROR
    assert "--out must name an .xlsx or a .pdf file" in capsys.readouterr().err
