"""Cross-cutting records: audit log, read trail, custom fields, number sequences, settings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Unicode,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    Base,
    Code40,
    Flag,
    LongText,
    Text100,
    Text200,
    Timestamp,
    Tracked,
    UTCDateTime,
)
from app.models.enums import AuditAction, CustomFieldEntity, CustomFieldKind, ReadAction


class AuditEntry(Base):
    """One audited action (操作日志), written in the change's own transaction; never edited."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id", "at"),
        Index("ix_audit_log_user_at", "user_id", "at"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_tx_id", "tx_id"),
        # No RETURNING on insert: a station may add audit rows but not read them back.
        {"implicit_returning": False},
    )

    at: Mapped[Timestamp]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    station: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[AuditAction]
    entity: Mapped[Code40]
    entity_id: Mapped[int | None] = mapped_column(Integer)
    # The summary as the writer's language put it: for SQL tools, and all older rows have.
    summary: Mapped[Text200]
    # The summary as a template and its values, JSON {"text": ..., "values": {...}}
    # (app.services.audit.Summary), so each reader sees it in their own language.
    summary_data: Mapped[LongText | None]
    # JSON object {field: [before, after]}; text so it reads the same on all three databases.
    changes: Mapped[LongText | None]
    # Filled by the database itself on a secured server (app.security), never by a station:
    # the database login that wrote the row, and its transaction, so a change made with a
    # SQL tool outside StationCRM can be told from one StationCRM audited.
    db_principal: Mapped[str | None] = mapped_column(Unicode(128))
    tx_id: Mapped[int | None] = mapped_column(BigInteger)


class ReadEntry(Base):
    """One read of customers by a person (the read trail, 客户资源安全): a card or 360 view
    opened, a page of the customer list, an export, a printed document. Never changed.

    Written in batches by the station (app.services.read_trail), so a read never waits for
    it; on a secured server every login may add rows but none may read, change or delete
    them, and the database stamps the login's own user (app.security). Read only through
    app.services.customer_guard, by the roles given the customer-guard module.

    ``day`` and ``minute`` are the station's local date and minute of the day, so the
    per-day figures are a GROUP BY on a plain column on every engine and "after hours"
    needs no time zone arithmetic in SQL. ``customer_id`` is a plain id (a card or a
    document of one customer), not a foreign key: the trail outlives a deleted or merged
    card. ``customers`` is how many customers the read showed (1 for a card).
    """

    __tablename__ = "read_trail"
    __table_args__ = (
        # The per-person-day figures read this index alone.
        Index("ix_read_trail_day", "day", "user_id", "action", "customer_id", "customers"),
        # One person's reads of a day in order (the drill-down, the sweep check).
        Index("ix_read_trail_user_day", "user_id", "day", "minute"),
        # No RETURNING on insert: a station adds rows it may not read back.
        {"implicit_returning": False},
    )

    at: Mapped[Timestamp]
    day: Mapped[dt.date] = mapped_column(Date)
    minute: Mapped[int] = mapped_column(SmallInteger)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ReadAction]
    customer_id: Mapped[int | None] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer, default=1)
    # The search text, or the document's kind and number.
    detail: Mapped[str | None] = mapped_column(Unicode(100))


class GuardRules(Tracked, Base):
    """The read trail's alert rules as management tuned them (one row, a JSON object;
    app.services.customer_guard.GuardRules). A table of its own, not an app setting:
    every login reads the settings, and the people watched must not read the thresholds."""

    __tablename__ = "guard_rules"

    value: Mapped[LongText]


class GuardAlertRecord(Tracked, Base):
    """A flagged person-day of the read trail, kept once found, for the general manager's
    to-do list (app.services.guard_watch).

    The alerts themselves are worked out from the trail whenever someone looks
    (app.services.customer_guard); a station of someone with the customer-guard module
    checks the last days every few minutes and keeps each new flagged day here, once:
    the unique (person, day) pair makes two stations checking at the same time store it
    once, and only the one that stored it sends the notices. ``reasons`` is the alert's
    reasons as JSON (their codes and figures), put into words when read, in the reader's
    language. ``handled_at``/``handled_by_id`` say someone with edit rights dealt with it;
    a new reason found later opens it again.
    """

    __tablename__ = "guard_alerts"
    __table_args__ = (
        UniqueConstraint("user_id", "day", name="uq_guard_alerts_user_day"),
        # The to-do list: the open ones of the last weeks, newest first.
        Index("ix_guard_alerts_handled_day", "handled_at", "day"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    reasons: Mapped[LongText]
    cards: Mapped[int] = mapped_column(Integer)
    usual_cards: Mapped[int] = mapped_column(Integer)
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True,
                                                      index=True)


class RequestKey(Base):
    """The request key of a saved create or payment (幂等键), taken when its form opened.

    A retry after an ambiguous failure (a lost reply to COMMIT) finds the record the first
    attempt saved instead of saving it again (``app.services.requests``). Written in the
    use case's own transaction, never changed. Rows older than 30 days are of no use to a
    retry and may be deleted by housekeeping (not built yet).
    """

    __tablename__ = "request_keys"
    __table_args__ = (Index("ix_request_keys_created_at", "created_at"),)

    key: Mapped[str] = mapped_column(String(64), unique=True)
    entity: Mapped[Code40]
    record_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[Timestamp]


class CustomFieldDefinition(Tracked, Base):
    """An extra field an administrator added to a kind of record (自定义字段)."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (
        UniqueConstraint("entity", "code"),
        Index("ix_custom_field_definitions_entity_position", "entity", "position"),
    )

    entity: Mapped[CustomFieldEntity]
    code: Mapped[Code40]
    label_zh: Mapped[Text100]
    label_en: Mapped[Text100]
    kind: Mapped[CustomFieldKind]
    required: Mapped[Flag] = mapped_column(default=False)
    default_value: Mapped[Text200 | None]
    # Choice lists: a JSON array of {"code", "zh", "en"} objects.
    options: Mapped[LongText | None]
    group_name: Mapped[Text100 | None]
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Removing a field hides it; its stored values stay.
    active: Mapped[Flag] = mapped_column(default=True)


class CustomFieldValue(Base):
    """A value of a custom field on one record, in the typed column that fits its kind."""

    __tablename__ = "custom_field_values"
    __table_args__ = (
        UniqueConstraint("definition_id", "record_id"),
        Index("ix_custom_field_values_record", "entity", "record_id"),
        Index("ix_custom_field_values_text", "definition_id", "value_text"),
        Index("ix_custom_field_values_number", "definition_id", "value_number"),
        Index("ix_custom_field_values_date", "definition_id", "value_date"),
    )

    definition_id: Mapped[int] = mapped_column(ForeignKey("custom_field_definitions.id"))
    entity: Mapped[CustomFieldEntity]
    record_id: Mapped[int] = mapped_column(Integer)
    value_text: Mapped[str | None] = mapped_column(Unicode(400))
    value_number: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    value_bool: Mapped[bool | None]


class DocumentSequence(Base):
    """The last number issued for a document prefix on a day, e.g. ``WX`` on 2026-11-26.

    Numbers are taken by incrementing this row inside the saving transaction, so two
    stations saving at once get different numbers or one waits for the other.
    """

    __tablename__ = "document_sequences"
    __table_args__ = (UniqueConstraint("prefix", "period"),)

    prefix: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10))
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class AppSetting(Tracked, Base):
    """A company-wide setting (company header, score rules, care rules) as a JSON value."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(80), unique=True)
    value: Mapped[LongText]
    description: Mapped[Text200 | None]
