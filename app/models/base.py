"""Declarative base, shared column types and mixins for every StationCRM entity."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    Unicode,
    UnicodeText,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Constraint names are spelled out so Alembic produces the same names on SQLite,
# PostgreSQL and SQL Server, and a later migration can drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always returned timezone-aware.

    SQLite keeps no offset, SQL Server's DATETIMEOFFSET and PostgreSQL's timestamptz do;
    normalising to UTC on the way in and tagging UTC on the way out gives the same
    aware value on all three.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC timestamp is required")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            # WORKAROUND: SQLite compares timestamps as text; one fixed form without an
            # offset keeps ORDER BY and range filters correct.
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        stamp: dt.datetime = value
        if stamp.tzinfo is None:
            return stamp.replace(tzinfo=dt.UTC)
        return stamp.astimezone(dt.UTC)


# Shared column types. Human text is Unicode (NVARCHAR on SQL Server); codes are ASCII.
Money = Annotated[Decimal, mapped_column(Numeric(14, 2))]
Quantity = Annotated[Decimal, mapped_column(Numeric(12, 3))]
Points = Annotated[Decimal, mapped_column(Numeric(10, 2))]
Percent = Annotated[Decimal, mapped_column(Numeric(5, 2))]
Code20 = Annotated[str, mapped_column(String(20))]
Code40 = Annotated[str, mapped_column(String(40))]
Text20 = Annotated[str, mapped_column(Unicode(20))]
Text40 = Annotated[str, mapped_column(Unicode(40))]
Text100 = Annotated[str, mapped_column(Unicode(100))]
Text200 = Annotated[str, mapped_column(Unicode(200))]
Text500 = Annotated[str, mapped_column(Unicode(500))]
LongText = Annotated[str, mapped_column(UnicodeText())]
Timestamp = Annotated[dt.datetime, mapped_column(UTCDateTime())]
Day = Annotated[dt.date, mapped_column(Date())]
Flag = Annotated[bool, mapped_column(Boolean())]
IntPK = Annotated[int, mapped_column(Integer, primary_key=True, sort_order=-100)]


class Base(DeclarativeBase):
    """Every entity derives from this; table names are plural, class names singular."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        str: Unicode(200),
        Decimal: Numeric(14, 2),
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        bool: Boolean(),
        int: Integer(),
        # Enums are stored as their short ASCII value in a VARCHAR (no native enum type:
        # SQL Server has none), so adding a member never needs an ALTER TYPE.
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            length=20,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
    }

    id: Mapped[IntPK]


class Tracked:
    """Created/updated by/at and an optimistic-locking version counter.

    Every editable business row carries these. SQLAlchemy bumps ``version`` on each
    UPDATE and adds ``WHERE version = :old`` so a concurrent save fails instead of
    overwriting; services also compare the version the user loaded.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, sort_order=90)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, nullable=False, sort_order=90
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False, sort_order=90
    )

    # Plain ids, not foreign keys: users and departments reference each other, and a
    # constraint here would make every table depend on users (a cycle for create/drop).
    # The audit log is the authoritative record of who did what.
    created_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True, sort_order=90)
    updated_by_id: Mapped[int | None] = mapped_column(Integer, nullable=True, sort_order=90)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.version}


class Confirmable:
    """Management confirmation (确认 / 退回) of a submitted record."""

    confirm_status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    return_comment: Mapped[str | None] = mapped_column(Unicode(500), nullable=True)

    @declared_attr
    def confirmed_by_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("users.id"), nullable=True, index=True)
