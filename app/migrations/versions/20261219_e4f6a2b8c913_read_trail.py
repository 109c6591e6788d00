"""The read trail: who read which customers (客户资源安全), and the day a person gave notice.

Revision ID: e4f6a2b8c913
Revises: d9e3b5f1a027
Create Date: 2026-12-19 09:00:00

Every station notes the customer cards and 360 views opened, the pages of the customer list,
exports and printed documents of its person in ``read_trail`` (app.services.read_trail);
the general manager reads it as per-person figures against each person's own baseline, with
alerts (app.services.customer_guard). ``users.notice_on`` is the day a person gave notice,
after which the alerts watch closer; ``guard_rules`` holds the thresholds management
tuned (a table of its own: the people watched must not read them). The general manager's
default role is given the new customer-guard module (an administrator may give it to
others).

Additive: an older program does not write the trail and ignores the column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e4f6a2b8c913"
down_revision: str | Sequence[str] | None = "d9e3b5f1a027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPERATIONS = ("view", "edit", "export")


def upgrade() -> None:
    op.create_table(
        "read_trail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("minute", sa.SmallInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("detail", sa.Unicode(length=100), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_read_trail_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_read_trail")),
    )
    op.create_index("ix_read_trail_day", "read_trail",
                    ["day", "user_id", "action", "customer_id", "customers"])
    op.create_index("ix_read_trail_user_day", "read_trail", ["user_id", "day", "minute"])
    op.add_column("users", sa.Column("notice_on", sa.Date(), nullable=True))
    op.create_table(
        "guard_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.UnicodeText(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guard_rules")),
    )
    # The general manager's default role sees the trail (new databases get it from the
    # role template, app.services.permissions.DEFAULT_ROLES). Plain SQL statements, so the
    # offline script (SQL Server's DDL kit) carries them too.
    roles = sa.table("roles", sa.column("id", sa.Integer()), sa.column("code", sa.String()),
                     sa.column("version", sa.Integer()))
    grants = sa.table("role_permissions", sa.column("role_id", sa.Integer()),
                      sa.column("module", sa.String()), sa.column("operation", sa.String()))
    manager = roles.c.code == "general_manager"
    for operation in _OPERATIONS:
        op.execute(grants.insert().from_select(
            ["role_id", "module", "operation"],
            sa.select(roles.c.id, sa.literal("customer_guard"), sa.literal(operation))
            .where(manager, ~sa.exists().where(
                grants.c.role_id == roles.c.id, grants.c.module == "customer_guard",
                grants.c.operation == operation))))
    # Stations reload a role's grants when its version moves.
    op.execute(roles.update().where(manager).values(version=roles.c.version + 1))


def downgrade() -> None:
    op.execute("DELETE FROM role_permissions WHERE module = 'customer_guard'")
    op.drop_table("guard_rules")
    op.drop_column("users", "notice_on")
    op.drop_index("ix_read_trail_user_day", table_name="read_trail")
    op.drop_index("ix_read_trail_day", table_name="read_trail")
    op.drop_table("read_trail")
