"""Station settings: resolution order, the station.toml round trip, and the embedded default."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import FrozenInstanceError
from pathlib import Path

import platformdirs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import make_url

from app.settings import (
    ConfigFileError,
    Settings,
    config_file_path,
    data_dir,
    default_db_url,
    is_default_embedded,
    load_settings,
    read_station_config,
    render_station_config,
    resolve_db_url,
    save_station_config,
)

FLAG_URL = "postgresql://crm@flag-host/crm"
ENV_URL = "postgresql://crm@env-host/crm"
CONFIG_URL = "mssql+pyodbc://crm@config-host:1433/crm"


@pytest.fixture
def station_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(config_dir, data_dir) under tmp_path, set through the environment; no stray overrides."""
    config = tmp_path / "config"
    data = tmp_path / "data"
    monkeypatch.setenv("STATIONCRM_CONFIG_DIR", str(config))
    monkeypatch.setenv("STATIONCRM_DATA_DIR", str(data))
    for name in (
        "STATIONCRM_DB_URL",
        "STATIONCRM_STATION",
        "STATIONCRM_LANG",
        "STATIONCRM_LANGUAGE",
    ):
        monkeypatch.delenv(name, raising=False)
    return config, data


@pytest.mark.parametrize(
    ("flag", "env", "config", "expected"),
    [
        (FLAG_URL, {"STATIONCRM_DB_URL": ENV_URL}, {"db_url": CONFIG_URL}, (FLAG_URL, "flag")),
        (None, {"STATIONCRM_DB_URL": ENV_URL}, {"db_url": CONFIG_URL}, (ENV_URL, "env")),
        (None, {}, {"db_url": CONFIG_URL}, (CONFIG_URL, "config")),
        # Blank values count as "not given", so an empty STATIONCRM_DB_URL falls through.
        ("  ", {"STATIONCRM_DB_URL": ""}, {"db_url": CONFIG_URL}, (CONFIG_URL, "config")),
    ],
    ids=["flag-beats-env", "env-beats-config", "config-beats-default", "blank-is-unset"],
)
def test_resolve_db_url_order(
    flag: str | None, env: dict[str, str], config: dict[str, str], expected: tuple[str, str]
) -> None:
    assert resolve_db_url(flag, env, config) == expected


def test_resolve_db_url_falls_back_to_sqlite_file_in_data_dir(tmp_path: Path) -> None:
    env = {"STATIONCRM_DATA_DIR": str(tmp_path / "data")}

    url, source = resolve_db_url(None, env, {})

    assert source == "default"
    assert url == f"sqlite:///{(tmp_path / 'data' / 'stationcrm.sqlite3').as_posix()}"
    assert make_url(url).database == str(tmp_path / "data" / "stationcrm.sqlite3")


def test_default_data_dir_is_platformdirs_user_data_path() -> None:
    assert data_dir({}) == platformdirs.user_data_path("StationCRM", appauthor=False)
    assert config_file_path({}) == (
        platformdirs.user_config_path("StationCRM", appauthor=False) / "station.toml"
    )


@pytest.mark.parametrize("folder", ["with space", "百分比%25 and ? and #", "数据"])
def test_default_db_url_survives_awkward_folder_names(tmp_path: Path, folder: str) -> None:
    url = default_db_url(tmp_path / folder)

    assert make_url(url).drivername == "sqlite"
    assert make_url(url).database == str(tmp_path / folder / "stationcrm.sqlite3")


def test_load_settings_flag_beats_env_beats_config(
    station_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_station_config(db_url=CONFIG_URL, station="config-station", language="en")
    monkeypatch.setenv("STATIONCRM_DB_URL", ENV_URL)
    monkeypatch.setenv("STATIONCRM_STATION", "env-station")

    from_flags = load_settings(flag_db=FLAG_URL, flag_station="flag-station")
    from_env = load_settings()
    monkeypatch.delenv("STATIONCRM_DB_URL")
    monkeypatch.delenv("STATIONCRM_STATION")
    from_config = load_settings()

    assert (from_flags.db_url, from_flags.db_url_source, from_flags.station) == (
        FLAG_URL, "flag", "flag-station",
    )
    assert (from_env.db_url, from_env.db_url_source, from_env.station) == (
        ENV_URL, "env", "env-station",
    )
    assert (from_config.db_url, from_config.db_url_source, from_config.station) == (
        CONFIG_URL, "config", "config-station",
    )
    assert from_config.language == "en"


def test_load_settings_without_config_uses_embedded_default(
    station_dirs: tuple[Path, Path],
) -> None:
    config, data = station_dirs

    settings = load_settings()

    assert settings.db_url_source == "default"
    assert make_url(settings.db_url).database == str(data / "stationcrm.sqlite3")
    assert (settings.config_dir, settings.data_dir) == (config, data)
    assert settings.config_file == config / "station.toml"
    assert (settings.station, settings.language, settings.last_username) == (None, None, None)
    assert is_default_embedded(settings)


def test_is_default_embedded(station_dirs: tuple[Path, Path]) -> None:
    _, data = station_dirs

    server = load_settings(flag_db=FLAG_URL)
    same_file_by_flag = load_settings(flag_db=default_db_url(data))
    other_file = load_settings(flag_db=f"sqlite:///{(data / 'other.sqlite3').as_posix()}")

    assert not is_default_embedded(server)
    assert is_default_embedded(same_file_by_flag)
    assert not is_default_embedded(other_file)


def test_language_env_beats_config_and_flag_beats_env(
    station_dirs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    save_station_config(language="en")
    monkeypatch.setenv("STATIONCRM_LANG", "zh_CN")  # the variable app.i18n reads too

    assert load_settings().language == "zh_CN"
    assert load_settings(flag_language="en_GB").language == "en_GB"


def test_settings_are_frozen(station_dirs: tuple[Path, Path]) -> None:
    settings: Settings = load_settings()

    with pytest.raises(FrozenInstanceError):
        settings.db_url = "sqlite://"  # type: ignore[misc]


def test_save_station_config_round_trip(station_dirs: tuple[Path, Path]) -> None:
    config, _ = station_dirs
    tricky = 'o"brien\\dom\tain\nx'

    path = save_station_config(
        db_url="mssql+pyodbc://10.0.0.5:1433/crm?Trusted_Connection=yes",
        station="前台 Front desk",
        language="zh_CN",
        last_username=tricky,
    )

    assert path == config / "station.toml"
    assert read_station_config(path) == {
        "db_url": "mssql+pyodbc://10.0.0.5:1433/crm?Trusted_Connection=yes",
        "station": "前台 Front desk",
        "language": "zh_CN",
        "last_username": tricky,
    }
    text = path.read_text(encoding="utf-8")
    assert 'station = "前台 Front desk"' in text
    assert 'last_username = "o\\"brien\\\\dom\\tain\\nx"' in text
    settings = load_settings()
    assert (settings.station, settings.language, settings.last_username) == (
        "前台 Front desk", "zh_CN", tricky,
    )
    assert settings.db_url_source == "config"


def test_save_station_config_keeps_untouched_keys_and_none_removes(
    station_dirs: tuple[Path, Path],
) -> None:
    save_station_config(db_url=CONFIG_URL, station="sales-1")
    save_station_config(last_username="alice")
    path = save_station_config(station=None)

    assert read_station_config(path) == {"db_url": CONFIG_URL, "last_username": "alice"}
    assert not list(path.parent.glob("*.tmp"))


def test_render_refuses_unknown_keys() -> None:
    with pytest.raises(ValueError, match="company_name"):
        render_station_config({"company_name": "ACME"})


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_any_text_round_trips_through_toml(value: str) -> None:
    rendered = render_station_config({"station": value, "last_username": value})

    assert tomllib.loads(rendered) == {"station": value, "last_username": value}


def test_broken_config_file_is_reported_with_its_path(station_dirs: tuple[Path, Path]) -> None:
    config, _ = station_dirs
    config.mkdir(parents=True)
    (config / "station.toml").write_text('db_url = "unterminated\n', encoding="utf-8")

    with pytest.raises(ConfigFileError) as caught:
        load_settings()

    assert str(config / "station.toml") in caught.value.message
    assert "not valid TOML" in caught.value.message
    assert str(config / "station.toml") in caught.value.message_zh


def test_config_value_of_wrong_type_is_reported(station_dirs: tuple[Path, Path]) -> None:
    config, _ = station_dirs
    config.mkdir(parents=True)
    (config / "station.toml").write_text("db_url = 5\n", encoding="utf-8")

    with pytest.raises(ConfigFileError, match='"db_url" must be text'):
        load_settings()


@pytest.mark.parametrize(("given", "kept"), [
    ("mssql+pyodbc://sa:p%40ss@10.0.0.5:1433/crm", "mssql+pyodbc://sa@10.0.0.5:1433/crm"),
    ("postgresql+psycopg://clerk1:demo1234@server/crm?login_prefix=crm_",
     "postgresql+psycopg://clerk1@server/crm?login_prefix=crm_"),
    ("mssql+pyodbc://server/crm?UID=sa&PWD=secret&driver=FreeTDS",
     "mssql+pyodbc://server/crm?UID=sa&driver=FreeTDS"),
    ("mssql+pyodbc:///?odbc_connect=DRIVER%3DFreeTDS%3BSERVER%3Dsrv%3BUID%3Dsa%3BPWD%3Dsecret%3B",
     "mssql+pyodbc:///?odbc_connect=DRIVER%3DFreeTDS%3BSERVER%3Dsrv%3BUID%3Dsa%3B"),
])
def test_the_station_file_never_holds_a_password_and_only_its_owner_reads_it(
    station_dirs: tuple[Path, Path], given: str, kept: str,
) -> None:
    path = save_station_config(db_url=given, last_username="clerk1")

    assert read_station_config(path)["db_url"] == kept
    text = path.read_text(encoding="utf-8")
    assert "secret" not in text and "p%40ss" not in text and "demo1234" not in text
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_backups_kept_is_a_whole_number_in_station_toml(station_dirs: tuple[Path, Path]) -> None:
    config, _ = station_dirs
    config.mkdir(parents=True)
    path = config / "station.toml"
    assert load_settings().backups_kept == 7  # the default
    for written, kept in (("backups_kept = 14", 14), ('backups_kept = "30"', 30)):
        path.write_text(written + "\n", encoding="utf-8")
        assert load_settings().backups_kept == kept
    # Saving other keys keeps it, as a number.
    save_station_config(station="sales-1")
    assert "backups_kept = 30\n" in path.read_text(encoding="utf-8")
    assert load_settings().backups_kept == 30
    for bad in ("backups_kept = 0", "backups_kept = -3", "backups_kept = 1000",
                'backups_kept = "many"', "backups_kept = 2.5", "backups_kept = true"):
        path.write_text(bad + "\n", encoding="utf-8")
        with pytest.raises(ConfigFileError) as raised:
            load_settings()
        assert "backups_kept" in str(raised.value) and "whole number" in str(raised.value)
