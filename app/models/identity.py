"""Users, departments, stations and roles with their module/operation/data/field permissions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, Code20, Code40, Flag, Text100, Timestamp, Tracked
from app.models.enums import DataScope, FieldAccess, Module, Operation, StationCode


class Department(Tracked, Base):
    """A department of the company (门市/经销商, 大客户部, 维修部, 管理部, 经理办)."""

    __tablename__ = "departments"

    code: Mapped[Code20] = mapped_column(unique=True)
    name_zh: Mapped[Text100]
    name_en: Mapped[Text100]
    station: Mapped[StationCode | None]
    active: Mapped[Flag] = mapped_column(default=True)


class Role(Tracked, Base):
    """A named bundle of permissions; each user has exactly one."""

    __tablename__ = "roles"

    code: Mapped[Code40] = mapped_column(unique=True)
    name_zh: Mapped[Text100]
    name_en: Mapped[Text100]
    is_system: Mapped[Flag] = mapped_column(default=False)

    permissions: Mapped[list[RolePermission]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )
    data_scopes: Mapped[list[RoleDataScope]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )
    field_rules: Mapped[list[RoleFieldRule]] = relationship(
        back_populates="role", cascade="all, delete-orphan"
    )


class RolePermission(Base):
    """One allowed (module, operation) pair of a role; absence means refused."""

    __tablename__ = "role_permissions"
    __table_args__ = (UniqueConstraint("role_id", "module", "operation"),)

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    module: Mapped[Module]
    operation: Mapped[Operation]

    role: Mapped[Role] = relationship(back_populates="permissions")


class RoleDataScope(Base):
    """Which records of a module the role sees; a module without a row defaults to own."""

    __tablename__ = "role_data_scopes"
    __table_args__ = (UniqueConstraint("role_id", "module"),)

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    module: Mapped[Module]
    scope: Mapped[DataScope]

    role: Mapped[Role] = relationship(back_populates="data_scopes")


class RoleFieldRule(Base):
    """A protected field (e.g. ``products.cost_price``) hidden or read-only for a role."""

    __tablename__ = "role_field_rules"
    __table_args__ = (UniqueConstraint("role_id", "module", "field"),)

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"))
    module: Mapped[Module]
    field: Mapped[Code40]
    access: Mapped[FieldAccess]

    role: Mapped[Role] = relationship(back_populates="field_rules")


class User(Tracked, Base):
    """A person who logs in at a station."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_department_active", "department_id", "active"),)

    username: Mapped[Code40] = mapped_column(unique=True)
    display_name: Mapped[Text100]
    # Deferred: on a secured server no station principal may read it (app.security), so a
    # plain select(User) must not ask for it.
    password_hash: Mapped[str] = mapped_column(String(200), deferred=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    default_station: Mapped[StationCode | None]
    phone: Mapped[str | None] = mapped_column(String(40))
    active: Mapped[Flag] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0, deferred=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(deferred=True)
    last_login_at: Mapped[Timestamp | None]
    language: Mapped[str | None] = mapped_column(String(10))
    # The day the person gave notice (提出离职), entered by management: the read trail's
    # alerts watch the weeks after it (app.services.customer_guard).
    notice_on: Mapped[dt.date | None]

    role: Mapped[Role] = relationship(foreign_keys=[role_id])
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
