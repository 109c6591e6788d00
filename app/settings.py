"""Typed station settings: defaults < station config file < STATIONCRM_* environment < flags."""

from __future__ import annotations

import enum
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import platformdirs

from app.dburl import without_password

APP_NAME: Final = "StationCRM"
CONFIG_FILE_NAME: Final = "station.toml"
DATABASES_USED_FILE_NAME: Final = "databases-used.txt"
EMBEDDED_DB_FILE_NAME: Final = "stationcrm.sqlite3"

ENV_DB_URL: Final = "STATIONCRM_DB_URL"
ENV_STATION: Final = "STATIONCRM_STATION"
ENV_LANGUAGE: Final = "STATIONCRM_LANG"  # the variable app.i18n also reads
ENV_LANGUAGE_ALIAS: Final = "STATIONCRM_LANGUAGE"
ENV_CONFIG_DIR: Final = "STATIONCRM_CONFIG_DIR"
ENV_DATA_DIR: Final = "STATIONCRM_DATA_DIR"

# The only keys the station config file keeps; save_station_config writes these and no others.
CONFIG_KEYS: Final = ("db_url", "station", "language", "last_username", "backups_kept",
                      "feed_poll_seconds")
# Keys whose value is a whole number in station.toml (kept as its digits in the mapping).
_NUMBER_KEYS: Final = frozenset({"backups_kept", "feed_poll_seconds"})
DEFAULT_BACKUPS_KEPT: Final = 7
# How often a station asks the change feed what others did for it (app.ui.shell.live).
DEFAULT_FEED_POLL_SECONDS: Final = 5
MAX_BACKUPS_KEPT: Final = 366

DbUrlSource = Literal["flag", "env", "config", "default"]


class ConfigFileError(Exception):
    """The station config file exists but cannot be read or is not valid TOML.

    ``problem`` says what is wrong in English, ``problem_zh`` in Chinese (the same when
    not given).
    """

    def __init__(self, path: Path, problem: str, problem_zh: str | None = None) -> None:
        self.path = path
        self.problem = problem
        self.problem_zh = problem_zh or problem
        super().__init__(self.message)

    def message_for(self, language: str | None) -> str:
        """The message in the station's language ("zh..." gives Chinese, else English)."""
        return self.message_zh if (language or "").lower().startswith("zh") else self.message

    @property
    def message(self) -> str:
        return (
            f"The station settings file {self.path} cannot be used: {self.problem}. "
            "Fix or delete the file and start StationCRM again."
        )

    @property
    def message_zh(self) -> str:
        return (
            f"无法使用本机设置文件 {self.path}：{self.problem_zh}。"
            "请修正或删除该文件后重新启动 StationCRM。"
        )


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a station needs to know before it opens the database."""

    db_url: str
    db_url_source: DbUrlSource
    station: str | None
    language: str | None
    last_username: str | None
    data_dir: Path
    config_dir: Path
    # How many daily backups of the embedded database are kept (station.toml backups_kept).
    backups_kept: int = DEFAULT_BACKUPS_KEPT
    # Seconds between two reads of the change feed (station.toml feed_poll_seconds).
    feed_poll_seconds: int = DEFAULT_FEED_POLL_SECONDS

    @property
    def config_file(self) -> Path:
        return self.config_dir / CONFIG_FILE_NAME

    @property
    def databases_used(self) -> Path:
        """The list of embedded database files this PC's user has worked in (beside
        station.toml, away from the data folder): a file listed there that has gone, even
        with its whole folder, is a lost database, not a first launch."""
        return self.config_dir / DATABASES_USED_FILE_NAME


class _Keep(enum.Enum):
    """Sentinel for save_station_config: leave this key as it is in the file."""

    KEEP = enum.auto()


KEEP: Final = _Keep.KEEP


def _env_value(env: Mapping[str, str], name: str) -> str | None:
    """An environment value, with empty or blank treated as unset."""
    value = env.get(name, "").strip()
    return value or None


def _dir_from_env(env: Mapping[str, str], name: str) -> Path | None:
    value = _env_value(env, name)
    return Path(value).expanduser().absolute() if value else None


def config_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Folder holding station.toml (STATIONCRM_CONFIG_DIR overrides the per-user folder)."""
    return _dir_from_env(env, ENV_CONFIG_DIR) or platformdirs.user_config_path(
        APP_NAME, appauthor=False
    )


def data_dir(env: Mapping[str, str] = os.environ) -> Path:
    """Folder holding the embedded database (STATIONCRM_DATA_DIR overrides the per-user one)."""
    return _dir_from_env(env, ENV_DATA_DIR) or platformdirs.user_data_path(
        APP_NAME, appauthor=False
    )


def config_file_path(env: Mapping[str, str] = os.environ) -> Path:
    return config_dir(env) / CONFIG_FILE_NAME


def default_db_url(data_folder: Path) -> str:
    """The embedded SQLite database URL for a data folder, readable and round-trippable."""
    path = (data_folder / EMBEDDED_DB_FILE_NAME).as_posix()
    # SQLAlchemy percent-decodes the database part and splits on "?" and "#", so only those
    # three characters need quoting; everything else (spaces, CJK, drive colons) stays readable.
    for char, quoted in (("%", "%25"), ("?", "%3F"), ("#", "%23")):
        path = path.replace(char, quoted)
    return f"sqlite:///{path}"


def read_station_config(path: Path) -> dict[str, str]:
    """Read the station config file; a missing file is an empty config.

    Raises:
        ConfigFileError: the file exists but is unreadable, not TOML, or has a non-text value
            for one of our keys.
    """
    try:
        with path.open("rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigFileError(path, f"it is not valid TOML ({exc})",
                              f"文件格式不是有效的 TOML（{exc}）") from exc
    except UnicodeDecodeError as exc:
        # tomllib decodes the bytes first: a damaged or binary file fails here.
        raise ConfigFileError(path, f"it is not UTF-8 text ({exc.reason} at byte {exc.start})",
                              f"文件不是 UTF-8 文本（第 {exc.start} 字节）") from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigFileError(path, f"it cannot be read ({reason})",
                              f"文件无法读取（{reason}）") from exc
    config: dict[str, str] = {}
    for key in CONFIG_KEYS:
        if key not in raw:
            continue
        value = raw[key]
        if key in _NUMBER_KEYS:
            config[key] = _whole_number(path, key, value)
            continue
        if not isinstance(value, str):
            raise ConfigFileError(path, f'"{key}" must be text in quotes',
                                  f"“{key}”的值必须是加引号的文本")
        config[key] = value
    return config


def _whole_number(path: Path, key: str, value: object) -> str:
    text = str(value).strip() if isinstance(value, int | str) else ""
    if isinstance(value, bool) or not text.isdigit() or not (
            1 <= int(text) <= MAX_BACKUPS_KEPT):
        raise ConfigFileError(
            path, f'"{key}" must be a whole number from 1 to {MAX_BACKUPS_KEPT}',
            f"“{key}”的值必须是 1 到 {MAX_BACKUPS_KEPT} 之间的整数")
    return str(int(text))


_TOML_SHORT_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(value: str) -> str:
    """A TOML basic string literal for value (quotes, backslashes, control chars escaped)."""
    parts = ['"']
    for char in value:
        if char in _TOML_SHORT_ESCAPES:
            parts.append(_TOML_SHORT_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            parts.append(f"\\u{ord(char):04X}")
        else:
            parts.append(char)
    parts.append('"')
    return "".join(parts)


def render_station_config(values: Mapping[str, str]) -> str:
    """The text of station.toml for the given keys (unknown keys are refused)."""
    unknown = set(values) - set(CONFIG_KEYS)
    if unknown:
        raise ValueError(f"not a station config key: {', '.join(sorted(unknown))}")
    lines = ["# StationCRM station settings, written by StationCRM.", ""]
    lines += [f"{key} = {values[key] if key in _NUMBER_KEYS else _toml_string(values[key])}"
              for key in CONFIG_KEYS if key in values]
    return "\n".join(lines) + "\n"


def save_station_config(
    *,
    db_url: str | None | _Keep = KEEP,
    station: str | None | _Keep = KEEP,
    language: str | None | _Keep = KEEP,
    last_username: str | None | _Keep = KEEP,
    env: Mapping[str, str] = os.environ,
) -> Path:
    """Update station.toml: a str sets the key, None removes it, KEEP leaves it alone.

    The file is replaced atomically so a crash never leaves half a config behind.
    Returns the path written.
    """
    path = config_file_path(env)
    values = read_station_config(path)
    changes: dict[str, str | None | _Keep] = {
        "db_url": db_url,
        "station": station,
        "language": language,
        "last_username": last_username,
    }
    for key, change in changes.items():
        if change is None:
            values.pop(key, None)
        elif isinstance(change, str):
            values[key] = change
    if "db_url" in values:
        values["db_url"] = without_password(values["db_url"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    # Owner-only from the first byte: the file names the server and the last user.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(render_station_config(values))
    if os.name == "posix":
        os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    return path


def resolve_db_url(
    flag: str | None, env: Mapping[str, str], config: Mapping[str, str]
) -> tuple[str, DbUrlSource]:
    """Pick the database URL: --db flag > STATIONCRM_DB_URL > config db_url > embedded default.

    Returns the URL and where it came from.
    """
    if flag and flag.strip():
        return flag.strip(), "flag"
    from_env = _env_value(env, ENV_DB_URL)
    if from_env:
        return from_env, "env"
    from_config = (config.get("db_url") or "").strip()
    if from_config:
        return from_config, "config"
    return default_db_url(data_dir(env)), "default"


def _first(*candidates: str | None) -> str | None:
    for candidate in candidates:
        if candidate and candidate.strip():
            return candidate.strip()
    return None


def load_settings(
    flag_db: str | None = None,
    flag_station: str | None = None,
    env: Mapping[str, str] = os.environ,
    *,
    flag_language: str | None = None,
) -> Settings:
    """Resolve the station's settings from flags, environment, config file and defaults.

    Raises:
        ConfigFileError: station.toml exists but cannot be used.
    """
    folder = config_dir(env)
    config = read_station_config(folder / CONFIG_FILE_NAME)
    db_url, source = resolve_db_url(flag_db, env, config)
    return Settings(
        db_url=db_url,
        db_url_source=source,
        station=_first(flag_station, env.get(ENV_STATION), config.get("station")),
        language=_first(
            flag_language,
            env.get(ENV_LANGUAGE),
            env.get(ENV_LANGUAGE_ALIAS),
            config.get("language"),
        ),
        last_username=_first(config.get("last_username")),
        data_dir=data_dir(env),
        config_dir=folder,
        backups_kept=int(config.get("backups_kept") or DEFAULT_BACKUPS_KEPT),
        feed_poll_seconds=int(config.get("feed_poll_seconds") or DEFAULT_FEED_POLL_SECONDS),
    )


def is_default_embedded(settings: Settings) -> bool:
    """True when the station runs on the embedded SQLite file in its own data folder."""
    return settings.db_url_source == "default" or settings.db_url == default_db_url(
        settings.data_dir
    )
