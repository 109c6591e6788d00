"""PostgreSQL: the cost totals' triggers update their order or repair record by its key.

Revision ID: f2a7c6e9b351
Revises: e6b2c9d4f180
Create Date: 2026-12-14 09:00:00

The triggers of revision 9841e823c8fe keep ``orders.total_cost`` and
``repair_records.parts_cost`` with one UPDATE … FROM a subquery over the changed keys.
plpgsql keeps the plan of that statement for the connection; planned while the parent table
was small, it was a hash join that read the whole table. On a large load in one transaction
(the demo data: the tables are new and not yet analysed, so nothing makes PostgreSQL plan
again) every line then read every order: 100 000 customers' order lines ran for more than
ten minutes where 20 000 customers' took seconds. Now each changed key is summed and its
parent row updated by equality on the key (the lines' and the parent's own indexes), a
plan that stays right whatever the table's size. Same results. SQLite and SQL Server are
unchanged (their triggers already name the row, or run once per statement).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "f2a7c6e9b351"
down_revision: str | Sequence[str] | None = "e6b2c9d4f180"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A revision is a snapshot: the function's wrapper and its former body (for the downgrade)
# are written out here, as 9841e823c8fe made them, not read from that revision.
_PG_FUNCTION = """CREATE OR REPLACE FUNCTION public.{name}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
{body}
$fn$"""

_PG_TOTAL_BEFORE = """DECLARE
    ids integer[] := '{{}}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        ids := ids || OLD.{key};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        ids := ids || NEW.{key};
    END IF;
    UPDATE public.{parent} AS t
       SET {total} = s.total
      FROM (SELECT k.id, COALESCE((SELECT sum({line}) FROM public.{lines} AS l
                                   WHERE l.{key} = k.id), 0.00) AS total
              FROM (SELECT DISTINCT u.id FROM unnest(ids) AS u (id)) AS k) AS s
     WHERE t.id = s.id AND t.{total} IS DISTINCT FROM s.total;
    RETURN NULL;
END"""

_PG_TOTAL = """DECLARE
    v_keys integer[] := '{{}}';
    v_key integer;
    v_total numeric;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        v_keys := v_keys || OLD.{key};
    END IF;
    IF TG_OP <> 'DELETE' AND NOT NEW.{key} = ANY(v_keys) THEN
        v_keys := v_keys || NEW.{key};
    END IF;
    FOREACH v_key IN ARRAY v_keys LOOP
        SELECT COALESCE(sum({line}), 0.00) INTO v_total
          FROM public.{lines} AS l WHERE l.{key} = v_key;
        UPDATE public.{parent} AS t SET {total} = v_total
         WHERE t.id = v_key AND t.{total} IS DISTINCT FROM v_total;
    END LOOP;
    RETURN NULL;
END"""

# (function, parent table, its total, the lines' table, their key, what a line adds)
_TOTALS = (
    ("crm_order_total_cost", "orders", "total_cost", "order_lines", "order_id",
     "l.line_cost"),
    ("crm_repair_parts_cost", "repair_records", "parts_cost", "repair_parts",
     "repair_record_id", "round(l.quantity * l.unit_cost, 2)"),
)


def upgrade() -> None:
    _replace(_PG_TOTAL)


def downgrade() -> None:
    _replace(_PG_TOTAL_BEFORE)


def _replace(body: str) -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, parent, total, lines, key, line in _TOTALS:
        op.execute(_PG_FUNCTION.format(name=name, body=body.format(
            parent=parent, total=total, lines=lines, key=key, line=line)))
