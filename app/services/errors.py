"""One error tree for every service: the UI and the command line show ``str(error)`` to people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


class ServiceError(Exception):
    """Base of every error a service raises on purpose; the message is for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PermissionDenied(ServiceError):
    """The acting user may not do this (module, operation or data scope)."""

    def __init__(self, message: str, *, module: str = "", operation: str = "") -> None:
        super().__init__(message)
        self.module = module
        self.operation = operation


class NotFound(ServiceError):
    """The record does not exist, or is outside what the user may see."""


class ValidationError(ServiceError):
    """Bad input. ``errors`` maps each field name to its message."""

    def __init__(self, errors: Mapping[str, str], message: str | None = None) -> None:
        self.errors = dict(errors)
        text = message or "; ".join(f"{field}: {msg}" for field, msg in self.errors.items())
        super().__init__(text)


class ConflictError(ServiceError):
    """Someone else saved the record after this user loaded it."""

    def __init__(
        self,
        message: str,
        *,
        entity: str = "",
        entity_id: int | None = None,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
        current_version: int | None = None,
    ) -> None:
        super().__init__(message)
        self.entity = entity
        self.entity_id = entity_id
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = current_version


class InvalidTransition(ServiceError):
    """A lifecycle move that the transition table does not allow."""


class AuthenticationFailed(ServiceError):
    """Wrong user name or password, or a locked or deactivated account."""

    def __init__(self, message: str, *, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until
