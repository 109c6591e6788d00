"""The administration hooks call each engine's own procedure, with a secret fit for it."""

from __future__ import annotations

import base64
import hashlib
import hmac
from types import SimpleNamespace
from typing import Any

import pytest

from app.security import principals


class Recorder:
    """A connection of the given dialect that is secured and records what it is told."""

    def __init__(self, dialect: str) -> None:
        self.dialect = SimpleNamespace(name=dialect)
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def execute(self, statement: Any, params: dict[str, Any] | None = None) -> Any:
        sql = str(statement)
        if "apply_role'" in sql or "N'crmsec.apply_role'" in sql or "to_regprocedure" in sql:
            return SimpleNamespace(scalar=lambda: 1)  # is_secured's probe
        self.calls.append((sql, params or {}))
        return SimpleNamespace(scalar=lambda: None)


class Session:
    def __init__(self, connection: Recorder) -> None:
        self._connection = connection

    def connection(self) -> Recorder:
        return self._connection

    def flush(self) -> None:
        pass


@pytest.mark.parametrize(("dialect", "call"), [
    ("postgresql", "SELECT crmsec.save_principal(:name, :secret)"),
    ("mssql", "EXEC crmsec.save_principal @username = :name, @password = :secret"),
])
def test_a_new_user_gets_a_login_through_the_engines_procedure(dialect: str, call: str) -> None:
    recorder = Recorder(dialect)
    principals.on_user_saved(Session(recorder), "clerk7", "first-pass-7")  # type: ignore[arg-type]
    [(sql, params)] = recorder.calls
    assert sql == call
    assert params["name"] == "clerk7"
    if dialect == "postgresql":
        # Never the password itself: a SCRAM verifier only the password produces.
        assert params["secret"].startswith("SCRAM-SHA-256$4096:")
        assert "first-pass-7" not in params["secret"]
    else:
        assert params["secret"] == "first-pass-7"


def test_the_scram_verifier_is_the_one_rfc_7677_defines() -> None:
    salt = b"0123456789abcdef"
    verifier = principals.scram_verifier("pencil", salt=salt)
    salted = hashlib.pbkdf2_hmac("sha256", b"pencil", salt, 4096)
    client_key = hmac.new(salted, b"Client Key", "sha256").digest()
    stored = base64.b64encode(hashlib.sha256(client_key).digest()).decode()
    server = base64.b64encode(hmac.new(salted, b"Server Key", "sha256").digest()).decode()
    assert verifier == f"SCRAM-SHA-256$4096:{base64.b64encode(salt).decode()}${stored}:{server}"


@pytest.mark.parametrize(("dialect", "apply", "drop"), [
    ("postgresql", "SELECT crmsec.apply_role(:role_id)", "SELECT crmsec.drop_group(:code)"),
    ("mssql", "EXEC crmsec.apply_role @role_id = :role_id", "EXEC crmsec.drop_group @code = :code"),
])
def test_role_changes_regrant_through_the_engines_procedure(
        dialect: str, apply: str, drop: str) -> None:
    recorder = Recorder(dialect)
    principals.on_role_saved(Session(recorder), 4)  # type: ignore[arg-type]
    principals.on_role_deleted(Session(recorder), "temp_role")  # type: ignore[arg-type]
    assert recorder.calls == [(apply, {"role_id": 4}), (drop, {"code": "temp_role"})]


def test_nothing_is_called_on_the_embedded_file() -> None:
    recorder = Recorder("sqlite")
    principals.on_user_saved(Session(recorder), "clerk7", "first-pass-7")  # type: ignore[arg-type]
    principals.on_role_saved(Session(recorder), 4)  # type: ignore[arg-type]
    assert recorder.calls == []
