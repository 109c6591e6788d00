"""The database copies the catalogue cost into order lines and repair parts.

Revision ID: 9841e823c8fe
Revises: 9a4c1f27d8e3
Create Date: 2026-12-06 10:00:00

On a secured server most roles may not read ``products.cost_price`` (nor the cost columns of
order lines and repair parts), yet an order line or a repair part must keep the cost the
product had when it was sold or used. So the station writes the line without a cost and the
database fills it in, with the rights of the schema owner:

* an order line inserted without ``unit_cost``, or updated to a NULL ``unit_cost`` or to
  another product (without a new ``unit_cost`` in the same update), takes the product's
  ``cost_price`` (0.00 without a product); its
  ``line_cost`` is always ``round(quantity × unit_cost, 2)`` (halves away from zero, as
  ``app.services.sales.line_cost``), so a quantity change re-prices the kept unit cost;
* ``orders.total_cost`` is the sum of its lines' ``line_cost``, whoever wrote them;
* a repair part likewise takes the product's cost, and ``repair_records.parts_cost`` is the
  sum of ``round(quantity × unit_cost, 2)`` of its parts (``app.services.tickets``).

The cost columns of the lines become nullable: SQLite and SQL Server have no BEFORE trigger
that could fill the row before a NOT NULL check, so the row is written with NULL and filled
by an AFTER trigger in the same statement.

PostgreSQL: plpgsql functions, SECURITY DEFINER with a fixed search path (owned by whoever
runs the migration, the schema owner, so row security and column grants do not stop them).
SQLite: AFTER triggers whose WHEN clause holds only while a value is still wrong, so their
own UPDATE never fires them again. SQL Server: AFTER triggers on ``inserted``/``deleted``;
ownership chaining lets them read the cost. A table with a trigger cannot take SQLAlchemy's
``OUTPUT inserted.id``, so the models turn ``implicit_returning`` off for both line tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9841e823c8fe"
down_revision: str | Sequence[str] | None = "9a4c1f27d8e3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = sa.Numeric(precision=14, scale=2)
# (table, column) made nullable; each is filled by a trigger as the row is written.
FILLED = (("order_lines", "unit_cost"), ("order_lines", "line_cost"),
          ("repair_parts", "unit_cost"))
# SQL Server refuses to alter a column an index covers: this one is dropped and remade.
STATS_INDEX = ("ix_order_lines_stats", "order_lines",
               ["order_id", "product_id", "quantity", "line_total", "line_cost"])


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    _set_nullable(dialect, nullable=True)
    for statement in _triggers(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    for statement in _drops(dialect):
        op.execute(statement)
    _set_nullable(dialect, nullable=False)


def _set_nullable(dialect: str, *, nullable: bool) -> None:
    if dialect == "mssql":
        op.drop_index(STATS_INDEX[0], table_name=STATS_INDEX[1])
    for table in ("order_lines", "repair_parts"):
        with op.batch_alter_table(table) as batch:
            for name, column in FILLED:
                if name == table:
                    batch.alter_column(column, existing_type=MONEY, nullable=nullable)
    if dialect == "mssql":
        op.create_index(STATS_INDEX[0], STATS_INDEX[1], STATS_INDEX[2])


# --- PostgreSQL ------------------------------------------------------------------------------

_PG_FUNCTION = """CREATE OR REPLACE FUNCTION public.{name}() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
{body}
$fn$"""

_PG_LINE_COST = """BEGIN
    IF NEW.unit_cost IS NULL OR (TG_OP = 'UPDATE'
                                 AND NEW.product_id IS DISTINCT FROM OLD.product_id
                                 AND NEW.unit_cost IS NOT DISTINCT FROM OLD.unit_cost) THEN
        NEW.unit_cost := COALESCE((SELECT p.cost_price FROM public.products AS p
                                   WHERE p.id = NEW.product_id), 0.00);
    END IF;
    {line_cost}
    RETURN NEW;
END"""

_PG_TOTAL = """DECLARE
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


def _pg_triggers() -> list[str]:
    statements = [
        _PG_FUNCTION.format(name="crm_order_line_cost", body=_PG_LINE_COST.format(
            line_cost="NEW.line_cost := round(NEW.quantity * NEW.unit_cost, 2);")),
        _PG_FUNCTION.format(name="crm_order_total_cost", body=_PG_TOTAL.format(
            parent="orders", total="total_cost", lines="order_lines", key="order_id",
            line="l.line_cost")),
        _PG_FUNCTION.format(name="crm_repair_part_cost", body=_PG_LINE_COST.format(
            line_cost="")),
        _PG_FUNCTION.format(name="crm_repair_parts_cost", body=_PG_TOTAL.format(
            parent="repair_records", total="parts_cost", lines="repair_parts",
            key="repair_record_id", line="round(l.quantity * l.unit_cost, 2)")),
    ]
    for table, line_fn, total_fn, columns, summed in (
            ("order_lines", "crm_order_line_cost", "crm_order_total_cost",
             ("product_id", "quantity", "unit_cost", "line_cost"), ("order_id", "line_cost")),
            ("repair_parts", "crm_repair_part_cost", "crm_repair_parts_cost",
             ("product_id", "unit_cost"), ("repair_record_id", "quantity", "unit_cost"))):
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in summed)
        statements += [
            f"CREATE TRIGGER crm_{table}_cost BEFORE INSERT OR UPDATE OF {', '.join(columns)}"
            f" ON public.{table} FOR EACH ROW EXECUTE FUNCTION public.{line_fn}()",
            f"CREATE TRIGGER crm_{table}_total_ins AFTER INSERT ON public.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION public.{total_fn}()",
            # Not UPDATE OF: a column the BEFORE trigger changed is not "mentioned".
            f"CREATE TRIGGER crm_{table}_total_upd AFTER UPDATE ON public.{table}"
            f" FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION public.{total_fn}()",
            f"CREATE TRIGGER crm_{table}_total_del AFTER DELETE ON public.{table}"
            f" FOR EACH ROW EXECUTE FUNCTION public.{total_fn}()",
        ]
    return statements


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_cents(quantity: str, cost: str) -> str:
    """Integer fen of ``round(quantity × cost, 2)``, halves away from zero.

    SQLite keeps NUMERIC columns as floating point; multiplying them and calling ROUND
    would round 2.675 down. Quantities have three places and costs two, so both are made
    exact integers first (thousandths and fen) and the product is rounded in integers.
    """
    product = (f"(CAST(ROUND(({quantity}) * 1000) AS INTEGER)"
               f" * CAST(ROUND(({cost}) * 100) AS INTEGER))")
    return (f"(CASE WHEN {product} >= 0 THEN ({product} + 500) / 1000"
            f" ELSE -((500 - {product}) / 1000) END)")


def _sqlite_triggers() -> list[str]:
    statements: list[str] = []
    for table, key, parent, total, has_line_cost in (
            ("order_lines", "order_id", "orders", "total_cost", True),
            ("repair_parts", "repair_record_id", "repair_records", "parts_cost", False)):
        catalogue = "(SELECT p.cost_price FROM products AS p WHERE p.id = NEW.product_id)"
        on_insert = f"COALESCE(NEW.unit_cost, {catalogue}, 0)"
        on_update = (f"(CASE WHEN NEW.unit_cost IS NULL OR (NEW.product_id IS NOT"
                     f" OLD.product_id AND NEW.unit_cost IS OLD.unit_cost)"
                     f" THEN COALESCE({catalogue}, 0) ELSE NEW.unit_cost END)")
        for event, cost, columns in (
                ("INSERT", on_insert, ""),
                ("UPDATE", on_update, " OF product_id, quantity, unit_cost"
                 + (", line_cost" if has_line_cost else ""))):
            line_cost = f"{_sqlite_cents('NEW.quantity', cost)} / 100.0"
            # Only while a value is still wrong: the trigger's own UPDATE then finds
            # nothing to do, with or without recursive triggers.
            when = f"{cost} IS NOT NEW.unit_cost"
            sets = f"unit_cost = {cost}"
            if has_line_cost:
                when += f" OR {line_cost} IS NOT NEW.line_cost"
                sets += f", line_cost = {line_cost}"
            statements.append(
                f"CREATE TRIGGER crm_{table}_cost_{event.lower()} AFTER {event}{columns}"
                f" ON {table} FOR EACH ROW WHEN {when}\n"
                f"BEGIN\n    UPDATE {table} SET {sets} WHERE id = NEW.id;\nEND")
        cents = ("line_cost * 100" if has_line_cost
                 else _sqlite_cents("l.quantity", "l.unit_cost"))
        if has_line_cost:
            cents = f"CAST(ROUND(l.{cents}) AS INTEGER)"

        def refresh(row: str, *, key: str = key, parent: str = parent, total: str = total,
                    cents: str = cents, table: str = table) -> str:
            summed = (f"(SELECT COALESCE(SUM({cents}), 0) / 100.0 FROM {table} AS l"
                      f" WHERE l.{key} = {row}.{key})")
            return (f"    UPDATE {parent} SET {total} = {summed}"
                    f" WHERE id = {row}.{key} AND {total} IS NOT {summed};\n")

        watched = "line_cost" if has_line_cost else "quantity, unit_cost"
        statements += [
            f"CREATE TRIGGER crm_{table}_total_insert AFTER INSERT ON {table}"
            f" FOR EACH ROW\nBEGIN\n{refresh('NEW')}END",
            f"CREATE TRIGGER crm_{table}_total_update AFTER UPDATE OF {key}, {watched}"
            f" ON {table} FOR EACH ROW\nBEGIN\n{refresh('OLD')}{refresh('NEW')}END",
            f"CREATE TRIGGER crm_{table}_total_delete AFTER DELETE ON {table}"
            f" FOR EACH ROW\nBEGIN\n{refresh('OLD')}END",
        ]
    return statements


# --- SQL Server ------------------------------------------------------------------------------


def _mssql_triggers() -> list[str]:
    statements = []
    for table, key, parent, total, has_line_cost in (
            ("order_lines", "order_id", "orders", "total_cost", True),
            ("repair_parts", "repair_record_id", "repair_records", "parts_cost", False)):
        line_cost = "ROUND(i.quantity * c.unit_cost, 2)"
        fills = "unit_cost = x.unit_cost" + (", line_cost = x.line_cost" if has_line_cost
                                             else "")
        wrong = "r.unit_cost IS NULL OR r.unit_cost <> x.unit_cost" + (
            " OR r.line_cost IS NULL OR r.line_cost <> x.line_cost" if has_line_cost else "")
        summed = ("l.line_cost" if has_line_cost
                  else "ROUND(l.quantity * l.unit_cost, 2)")
        statements.append(f"""CREATE TRIGGER crm_{table}_cost ON {table}
AFTER INSERT, UPDATE, DELETE AS
BEGIN
    SET NOCOUNT ON;
    IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted) RETURN;
    -- A new row without a cost, or a row moved to another product, takes the catalogue's.
    UPDATE r SET {fills}
      FROM {table} AS r
      JOIN (SELECT i.id, c.unit_cost, {line_cost} AS line_cost
              FROM inserted AS i
              LEFT JOIN deleted AS d ON d.id = i.id
              LEFT JOIN products AS p ON p.id = i.product_id
             CROSS APPLY (SELECT CASE WHEN i.unit_cost IS NULL
                                        OR (d.id IS NOT NULL AND i.unit_cost = d.unit_cost
                                            AND (i.product_id <> d.product_id
                                                 OR (i.product_id IS NULL
                                                     AND d.product_id IS NOT NULL)
                                                 OR (i.product_id IS NOT NULL
                                                     AND d.product_id IS NULL)))
                                      THEN COALESCE(p.cost_price, 0)
                                      ELSE i.unit_cost END AS unit_cost) AS c
           ) AS x ON x.id = r.id
     WHERE {wrong};
    UPDATE t SET {total} = s.total
      FROM {parent} AS t
      JOIN (SELECT k.id, COALESCE((SELECT SUM({summed}) FROM {table} AS l
                                   WHERE l.{key} = k.id), 0) AS total
              FROM (SELECT {key} AS id FROM inserted UNION SELECT {key} FROM deleted) AS k
           ) AS s ON s.id = t.id
     WHERE t.{total} <> s.total;
END""")
    return statements


def _triggers(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return _pg_triggers()
    if dialect == "sqlite":
        return _sqlite_triggers()
    if dialect == "mssql":
        return _mssql_triggers()
    raise NotImplementedError(f"no cost triggers for the {dialect} dialect")


def _drops(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            *(f"DROP TRIGGER IF EXISTS crm_{table}_{name} ON public.{table}"
              for table in ("order_lines", "repair_parts")
              for name in ("cost", "total_ins", "total_upd", "total_del")),
            *(f"DROP FUNCTION IF EXISTS public.{name}()"
              for name in ("crm_order_line_cost", "crm_order_total_cost",
                           "crm_repair_part_cost", "crm_repair_parts_cost")),
        ]
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS crm_{table}_{name}"
                for table in ("order_lines", "repair_parts")
                for name in ("cost_insert", "cost_update", "total_insert", "total_update",
                             "total_delete")]
    return [f"DROP TRIGGER crm_{table}_cost" for table in ("order_lines", "repair_parts")]
