"""What each table means to the role matrix: privileges per (module, operation), protected
columns, and the row scope each table keeps — the one source both engines' scripts use.

A station is untrusted: its database login can be lifted and used from any SQL tool. So the
database itself enforces what the role matrix (issue 7) says, derived from this catalogue:

* ``ACCESS``: which privilege on which table (and which columns) one allowed
  ``(module, operation)`` of a role gives; rows with ``module=None`` every role gets.
* ``PROTECTED_COLUMNS``: the columns behind each protected field of the role editor. A
  hidden field loses SELECT (and UPDATE), a read-only one loses UPDATE.
* ``ROW_RULES``: which records of a table a person sees — a data-scope column of a module,
  or "whatever of the parent table is visible" — written once here and rendered per engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final, Literal

from app.models.enums import Module, Operation

Privilege = Literal["SELECT", "INSERT", "UPDATE", "DELETE"]

V, C, E, D, CF = Operation.VIEW, Operation.CREATE, Operation.EDIT, Operation.DELETE, \
    Operation.CONFIRM


@dataclass(frozen=True)
class Access:
    """``privilege`` on ``table`` (only ``columns`` if given) for a role allowed the pair."""

    table: str
    privilege: Privilege
    module: Module | None = None
    operation: Operation | None = None
    columns: tuple[str, ...] = ()


def _module_tables(module: Module, tables: Iterable[str], children: Iterable[str] = ()
                   ) -> Iterator[Access]:
    """The usual shape: a module's main tables and the child rows edited with them.

    View reads; create inserts (and reads back what it wrote); edit and confirm update;
    delete deletes. Child rows (order lines, contacts …) are replaced when the parent is
    saved, so creating or editing the parent may insert, update and delete them.
    """
    mains, kids = tuple(tables), tuple(children)
    for table in (*mains, *kids):
        yield Access(table, "SELECT", module, V)
        yield Access(table, "SELECT", module, C)
        yield Access(table, "DELETE", module, D)
    for table in mains:
        yield Access(table, "INSERT", module, C)
        yield Access(table, "UPDATE", module, E)
        yield Access(table, "UPDATE", module, CF)
    for table in kids:
        for operation in (C, E):
            yield Access(table, "INSERT", module, operation)
            yield Access(table, "UPDATE", module, operation)
            yield Access(table, "DELETE", module, operation)


# Views every role reads: of others' customers only the directory (name and owner), and
# the phone numbers of one's own customers where the role hides others' phones.
DIRECTORY_VIEW: Final = "customer_directory"
# The pinyin search keys of customers and products (app.models.catalog.SearchKey).
SEARCH_KEYS: Final = "search_keys"
# The tails of customers' names and short names (app.models.catalog.NameSuffix).
NAME_SUFFIXES: Final = "name_suffixes"
# The numbers of customer cards merged into another (app.models.customers.CustomerAlias).
CUSTOMER_ALIASES: Final = "customer_aliases"
# The phone numbers of customers and of their contacts, with the customer's owner: views made
# by a migration on every engine. A role with the phone field protected reads its own
# customers' numbers through them (the program filters by owner; on a secured server the
# security set-up redefines them to show only the login's own customers).
CUSTOMER_PHONES_VIEW: Final = "customer_phones"
CUSTOMER_PHONES_COLUMNS: Final = ("id", "owner_id", "phone", "phone_digits")
CONTACT_PHONES_VIEW: Final = "contact_phones"
CONTACT_PHONES_COLUMNS: Final = ("id", "customer_id", "owner_id", "phone", "mobile",
                                 "phone_digits", "mobile_digits")
PHONE_VIEWS: Final = (CUSTOMER_PHONES_VIEW, CONTACT_PHONES_VIEW)
# The view an earlier security set-up made (replaced by the two above); dropped by it now.
RETIRED_VIEWS: Final = ("own_customer_phones",)

# The summaries the database writes itself, as templates (app.services.audit.Summary): the
# English text is the translation key, so the log reads them in the reader's language.
PHONE_LOOKUP_SUMMARY: Final = "phone lookup {phone} by database login {login}"
OUTSIDE_CHANGE_SUMMARY: Final = (
    "{operation} {table} #{id} outside StationCRM by database login {login}")

# Who holds which records and whether they are still open (app.services.reassignment).
HOLDING_COLUMNS: Final = {
    "opportunities": ("id", "owner_id", "stage"),
    "quotations": ("id", "owner_id", "status"),
    "orders": ("id", "owner_id", "status"),
    "service_contracts": ("id", "owner_id"),
    "visits": ("id", "owner_id", "follow_up_on", "follow_up_done"),
    "care_items": ("id", "owner_id", "status"),
    "tasks": ("id", "assignee_id", "status"),
    "service_tickets": ("id", "technician_id", "status"),
}

# Bookkeeping columns every UPDATE through the ORM writes (optimistic lock, who/when).
TRACKING: Final = ("version", "updated_at", "updated_by_id")
PLAN_ACTUAL_COLUMNS: Final = ("id", "owner_id", "ordered_on", "status", "total_amount",
                              "total_cost", "opening")

# Who read which customers (app.models.ReadEntry), and the alert rules that watch it.
READ_TRAIL: Final = "read_trail"
GUARD_RULES: Final = "guard_rules"
GUARD_ALERTS: Final = "guard_alerts"

# Logs that are only ever added to, with what the database answers an attempt to change
# one: no role is granted UPDATE or DELETE on them, and a trigger refuses UPDATE, DELETE
# and TRUNCATE to everyone but the owner, should a grant slip in (the second wall).
APPEND_ONLY: Final = {
    "audit_log": "The audit log cannot be changed or deleted.",
    READ_TRAIL: "The read trail cannot be changed or deleted.",
}

# Tables every role reads: reference data, people's names, and the permission rows the
# program reads to decide what to show. (users without its secret columns, see below.)
_SHARED_READ: Final = ("alembic_version", "departments", "roles", "role_permissions",
                       "role_data_scopes", "role_field_rules", "users", "custom_field_definitions",
                       "app_settings", "products")

# Columns of users no station principal reads: the server checks passwords itself.
USER_SECRET_COLUMNS: Final = ("password_hash",)
# ... and the login-lock bookkeeping, which only administration reads.
USER_ADMIN_COLUMNS: Final = ("failed_logins", "locked_until")
_BUSINESS_TABLES: Final = (
    "customers", "contacts", "addresses", "devices", "meter_readings", "visits",
    "sales_plans", "opportunities", "quotations", "quotation_lines", "orders", "order_lines",
    "payments", "payment_allocations", "service_contracts", "contract_devices",
    "service_tickets", "ticket_events", "repair_records", "repair_parts",
    "knowledge_entries", "tasks", "care_items", "custom_field_values",
)


def _build_access() -> tuple[Access, ...]:
    rows: list[Access] = []
    add = rows.extend
    for table in _SHARED_READ:
        rows.append(Access(table, "SELECT"))
    # Record numbers are taken by every role that creates anything.
    add(Access("document_sequences", p) for p in ("SELECT", "INSERT", "UPDATE"))
    # Everyone writes audit entries; nobody may rewrite them (no UPDATE/DELETE anywhere).
    rows.append(Access("audit_log", "INSERT"))
    # Everyone who saves a create or a payment notes its request key, and reads their own
    # back on a retry (app.services.requests); nobody changes one.
    add(Access("request_keys", p) for p in ("SELECT", "INSERT"))
    # Everyone's changes tell others at their stations (app.services.feed): anyone adds a
    # notice, each reads their own and their department's; nobody changes or deletes one.
    add(Access("change_feed", p) for p in ("SELECT", "INSERT"))
    # Custom field values travel with the record they belong to.
    add(Access("custom_field_values", p) for p in ("SELECT", "INSERT", "UPDATE", "DELETE"))
    # Customer names are shown on every kind of record; rows are limited by scope. Of
    # others' customers everyone reads the directory (name and owner) only.
    rows.append(Access("customers", "SELECT"))
    rows.append(Access(DIRECTORY_VIEW, "SELECT"))
    add(Access(view, "SELECT") for view in PHONE_VIEWS)
    # The search keys hold ids and the pinyin of names that the directory and the catalog
    # show every login anyway, so every login reads them (no row rule: a search joins the
    # ids back to the directory or the products, whose own rules apply). Whoever saves a
    # customer's or a product's name writes its keys.
    # The name suffixes likewise: ids and the names the directory shows.
    rows.append(Access(SEARCH_KEYS, "SELECT"))
    rows.append(Access(NAME_SUFFIXES, "SELECT"))
    for module in (Module.CUSTOMERS, Module.PRODUCTS):
        add(Access(SEARCH_KEYS, p, module, op) for op in (C, E) for p in ("INSERT", "DELETE"))
    add(Access(NAME_SUFFIXES, p, Module.CUSTOMERS, op) for op in (C, E)
        for p in ("INSERT", "DELETE"))

    # The phone suffixes (app.models.customers.PhoneSuffix) are written with the numbers.
    add(_module_tables(Module.CUSTOMERS, ["customers"],
                       ["contacts", "addresses", "devices", "meter_readings",
                        "phone_suffixes"]))
    # The numbers of merged cards (app.models.customers.CustomerAlias) find their customer
    # in the search: read with the customer (the row rule below), written by the merge.
    rows.append(Access(CUSTOMER_ALIASES, "SELECT"))
    add(Access(CUSTOMER_ALIASES, p, Module.CUSTOMERS, E) for p in ("INSERT", "UPDATE", "DELETE"))
    add(_module_tables(Module.VISITS, ["visits"]))
    add(_module_tables(Module.SALES_PLANS, ["sales_plans"]))
    # Plan against actual: each order's owner, day, state and amount (and cost, unless the
    # role hides it), in the sales plans' data scope (the orders row rule below).
    rows.append(Access("orders", "SELECT", Module.SALES_PLANS, V, PLAN_ACTUAL_COLUMNS))
    add(_module_tables(Module.OPPORTUNITIES, ["opportunities"]))
    add(_module_tables(Module.PRODUCTS, ["products"]))
    add(_module_tables(Module.QUOTATIONS, ["quotations"], ["quotation_lines"]))
    add(_module_tables(Module.ORDERS, ["orders"], ["order_lines"]))
    add(_module_tables(Module.PAYMENTS, ["payments"], ["payment_allocations"]))
    # A payment moves the paid amount of the orders and tickets it settles.
    for table in ("orders", "service_tickets"):
        add(Access(table, "SELECT", Module.PAYMENTS, op) for op in (V, C))
        rows.append(Access(table, "UPDATE", Module.PAYMENTS, C, ("paid_amount", *TRACKING)))
    # Handing a repaired machine back at the counter (pickup) is the cashier's job too: the
    # ticket moves to "picked up", with its event.
    rows.append(Access("service_tickets", "UPDATE", Module.PAYMENTS, C,
                       ("status", "picked_up_at", *TRACKING)))
    rows.append(Access("ticket_events", "INSERT", Module.PAYMENTS, C))
    add(_module_tables(Module.CONTRACTS, ["service_contracts"], ["contract_devices"]))
    add(_module_tables(Module.SERVICE_TICKETS, ["service_tickets"],
                       ["ticket_events", "repair_records", "repair_parts"]))
    # The repair desk registers machines and meter readings and picks a contact.
    for op in (V, C, E):
        add(Access(t, "SELECT", Module.SERVICE_TICKETS, op)
            for t in ("contacts", "devices", "meter_readings", "service_contracts",
                      "contract_devices"))
    for op in (C, E):
        add(Access(t, p, Module.SERVICE_TICKETS, op)
            for t in ("devices", "meter_readings") for p in ("INSERT", "UPDATE"))
        # Using up an included visit of a per-visit contract.
        rows.append(Access("service_contracts", "UPDATE", Module.SERVICE_TICKETS, op))
    add(_module_tables(Module.KNOWLEDGE, ["knowledge_entries"]))
    # A technician who followed an approved entry counts one more use of it.
    rows.append(Access("knowledge_entries", "UPDATE", Module.KNOWLEDGE, V,
                       ("times_used", *TRACKING)))
    add(_module_tables(Module.TASKS, ["tasks"]))
    add(_module_tables(Module.CARE, ["care_items"]))
    # Statistics read every business table (rows still limited by each module's scope).
    add(Access(t, "SELECT", Module.STATISTICS, V) for t in _BUSINESS_TABLES)
    # Administration: people, departments, roles, custom fields, company settings, the log.
    for table in ("users", "departments", "roles", "role_permissions", "role_data_scopes",
                  "role_field_rules", "custom_field_definitions", "app_settings"):
        add(_module_tables(Module.ADMINISTRATION, [table]))
        rows.append(Access(table, "INSERT", Module.ADMINISTRATION, E))
        rows.append(Access(table, "DELETE", Module.ADMINISTRATION, E))
    rows.append(Access("audit_log", "SELECT", Module.ADMINISTRATION, V))
    # The customer 360 view shows a customer's change history (rows: its own customers').
    rows.append(Access("audit_log", "SELECT", Module.CUSTOMERS, V))
    # Deactivating a person is refused while they still hold records: administration
    # counts them by owner and state, without reading what the records say.
    for table, columns in HOLDING_COLUMNS.items():
        rows.append(Access(table, "SELECT", Module.ADMINISTRATION, E, columns))
    # A hand-over (customers/confirm) deactivates the person who leaves.
    rows.append(Access("users", "UPDATE", Module.CUSTOMERS, CF, ("active", *TRACKING)))
    # Whoever imports customers records the import and its items, and undoes them
    # (app.services.importing): a role that may delete customers (undo removes what an
    # import created), as the service asks. Not every role that creates customers: a
    # batch written with a SQL tool would otherwise tell an undo what to delete.
    for table in ("import_batches", "import_items"):
        add(Access(table, p, Module.CUSTOMERS, D) for p in ("SELECT", "INSERT", "UPDATE"))
    # Management's rule screens (repair scores, care rules) keep their rules in settings.
    for module in (Module.SERVICE_TICKETS, Module.CARE):
        add(Access("app_settings", p, module, CF) for p in ("INSERT", "UPDATE"))
    # The read trail (app.services.read_trail): every station adds its person's reads (the
    # database writes whose they are), only the customer guard reads them, and nobody
    # changes or deletes one (APPEND_ONLY).
    rows.append(Access(READ_TRAIL, "INSERT"))
    rows.append(Access(READ_TRAIL, "SELECT", Module.CUSTOMER_GUARD, V))
    # Its alert rules: the people watched must not read the thresholds. Whoever tunes them
    # reads them too: saving compares the version and reads the new row's id back.
    add(Access(GUARD_RULES, "SELECT", Module.CUSTOMER_GUARD, op) for op in (V, E))
    add(Access(GUARD_RULES, p, Module.CUSTOMER_GUARD, E) for p in ("INSERT", "UPDATE"))
    # The flagged days kept for the to-do list (app.services.guard_watch): found and
    # stored by a guard's station, marked handled by a guard with edit rights; nobody
    # deletes one. Storing compares nothing but the unique (person, day) pair.
    add(Access(GUARD_ALERTS, p, Module.CUSTOMER_GUARD, V) for p in ("SELECT", "INSERT",
                                                                     "UPDATE"))
    # The day a person gave notice (app.services.customer_guard.set_notice).
    rows.append(Access("users", "UPDATE", Module.CUSTOMER_GUARD, E, ("notice_on", *TRACKING)))
    return tuple(rows)


ACCESS: Final = _build_access()
# Tables every station login may read (rows still limited by row security).
READ_BY_EVERYONE: Final = frozenset(
    a.table for a in ACCESS if a.module is None and a.privilege == "SELECT" and not a.columns)


@dataclass(frozen=True)
class ProtectedColumn:
    """One column behind a protected field of the role editor."""

    module: Module
    field: str
    table: str
    column: str


def _protected(module: Module, field: str, *columns: str) -> Iterator[ProtectedColumn]:
    for dotted in columns:
        table, column = dotted.split(".")
        yield ProtectedColumn(module, field, table, column)


PROTECTED_COLUMNS: Final = (
    *_protected(Module.PRODUCTS, "cost_price", "products.cost_price"),
    *_protected(Module.ORDERS, "unit_cost", "order_lines.unit_cost", "order_lines.line_cost",
                "orders.total_cost"),
    # The margin is derived from the cost: hiding it hides the cost it is computed from.
    *_protected(Module.ORDERS, "margin", "order_lines.line_cost", "orders.total_cost"),
    *_protected(Module.SERVICE_TICKETS, "parts_cost", "repair_records.parts_cost",
                "repair_parts.unit_cost"),
    # Owner-exempt (OWNER_EXEMPT_FIELDS): hidden takes SELECT of the columns, and the owner
    # reads their own customers' numbers through the phone views; hidden or read-only keeps
    # UPDATE (an owner edits their own customers' numbers), and a trigger refuses a change
    # to someone else's customer's numbers.
    *_protected(Module.CUSTOMERS, "phone", "customers.phone", "customers.phone_digits",
                "contacts.phone", "contacts.phone_digits", "contacts.mobile",
                "contacts.mobile_digits", "phone_suffixes.suffix"),
)

# Protected fields whose protection is waived for one's own customers.
OWNER_EXEMPT_FIELDS: Final = frozenset({(Module.CUSTOMERS, "phone")})
# The columns of each table that the phone guard watches (changes refused on others'
# customers for a role with an owner-exempt field protected).
GUARDED_PHONE_COLUMNS: Final = {
    "customers": ("phone", "phone_digits"),
    "contacts": ("phone", "mobile", "phone_digits", "mobile_digits"),
    # Written (inserted and deleted) with the numbers, never updated by the program.
    "phone_suffixes": ("suffix",),
}


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scoped:
    """Rows whose ``column`` (a user id) is in the person's data scope of ``module``."""

    column: str
    module: Module


@dataclass(frozen=True)
class Follows:
    """Rows whose ``column`` points to a visible row of ``parent`` (and, with ``only_if``,
    whose column ``only_if[0]`` holds the text ``only_if[1]``)."""

    column: str
    parent: str
    only_if: tuple[str, str] | None = None


@dataclass(frozen=True)
class Linked:
    """Rows whose id a row of ``link`` names in ``link_column``, when that link row's
    ``link_parent`` points to a visible row of ``parent``."""

    link: str
    link_column: str
    link_parent: str
    parent: str


@dataclass(frozen=True)
class CustomerScoped:
    """Rows whose ``column`` is a customer whose owner is in the scope of ``module``."""

    column: str
    module: Module


@dataclass(frozen=True)
class Allowed:
    """Every row, for a role allowed ``(module, operation)``."""

    module: Module
    operation: Operation


@dataclass(frozen=True)
class Equals:
    """Rows whose ``column`` holds ``value`` (a fixed text)."""

    column: str
    value: str


@dataclass(frozen=True)
class Mine:
    """Rows whose ``column`` is the person's own user id, or department id."""

    column: str
    of: Literal["user", "department"] = "user"


Condition = Scoped | Follows | Linked | CustomerScoped | Allowed | Equals | Mine


@dataclass(frozen=True)
class RowRule:
    """A person sees (and may change or delete) a row of ``table`` when any condition holds.

    New rows are not limited by scope (a technician files a re-need for a salesperson's
    customer); whether a role may insert at all is the table privilege.
    """

    table: str
    any_of: tuple[Condition, ...]


M = Module
ROW_RULES: Final = (
    RowRule("customers", (Scoped("owner_id", M.CUSTOMERS),)),
    RowRule("contacts", (Follows("customer_id", "customers"),)),
    RowRule("addresses", (Follows("customer_id", "customers"),)),
    RowRule("phone_suffixes", (Follows("customer_id", "customers"),)),
    RowRule(CUSTOMER_ALIASES, (Follows("customer_id", "customers"),)),
    # The intake desk sees a key account's registered machines without its card.
    RowRule("devices", (Follows("customer_id", "customers"),
                        Allowed(M.SERVICE_TICKETS, Operation.VIEW))),
    RowRule("meter_readings", (Follows("device_id", "devices"),)),
    RowRule("visits", (Scoped("owner_id", M.VISITS),)),
    RowRule("sales_plans", (Scoped("owner_id", M.SALES_PLANS),)),
    RowRule("opportunities", (Scoped("owner_id", M.OPPORTUNITIES),)),
    RowRule("quotations", (Scoped("owner_id", M.QUOTATIONS),)),
    RowRule("quotation_lines", (Follows("quotation_id", "quotations"),)),
    # Also in the sales plans' scope, for plan against actual. (The default roles give
    # both modules the same scope; a role given a wider plans scope sees those orders.)
    RowRule("orders", (Scoped("owner_id", M.ORDERS), Scoped("owner_id", M.SALES_PLANS))),
    RowRule("order_lines", (Follows("order_id", "orders"),)),
    RowRule("payments", (Scoped("received_by_id", M.PAYMENTS),
                         Linked("payment_allocations", "payment_id", "order_id", "orders"))),
    # A contract is seen by its owner's scope and with its customer (the service also
    # counts the customer's owner in the contracts scope; the default roles give both
    # modules the same scope, and a probe into the customer is one index lookup where the
    # directory would be a scan).
    RowRule("service_contracts", (Scoped("owner_id", M.CONTRACTS),
                                  Follows("customer_id", "customers"))),
    RowRule("contract_devices", (Follows("contract_id", "service_contracts"),)),
    RowRule("service_tickets", (Scoped("technician_id", M.SERVICE_TICKETS),
                                Scoped("intake_by_id", M.SERVICE_TICKETS))),
    RowRule("ticket_events", (Follows("ticket_id", "service_tickets"),)),
    RowRule("repair_records", (Follows("ticket_id", "service_tickets"),)),
    RowRule("repair_parts", (Follows("repair_record_id", "repair_records"),)),
    RowRule("knowledge_entries", (Scoped("author_id", M.KNOWLEDGE),
                                  Equals("status", "approved"))),
    RowRule("tasks", (Scoped("assignee_id", M.TASKS), Mine("assigned_by_id"),
                      Mine("assignee_department_id", "department"))),
    RowRule("care_items", (Scoped("owner_id", M.CARE),)),
    # A custom field value is seen with the record it belongs to.
    RowRule("custom_field_values", tuple(
        Follows("record_id", table, ("entity", entity)) for entity, table in (
            ("customer", "customers"), ("contact", "contacts"), ("device", "devices"),
            ("visit", "visits"), ("order", "orders"), ("service_ticket", "service_tickets"),
            ("care_item", "care_items")))),
    # An import is seen by whoever made it, and by administration.
    RowRule("import_batches", (Mine("created_by_id"), Allowed(M.ADMINISTRATION, Operation.VIEW))),
    RowRule("import_items", (Follows("batch_id", "import_batches"),)),
    # A person's request keys are their own: a retry finds only what they saved.
    RowRule("request_keys", (Mine("user_id"),)),
    # A notice is read by the person it is for, or by everyone of its department.
    RowRule("change_feed", (Mine("user_id"), Mine("department_id", "department"))),
    # The customer 360 view shows a customer's change history; administration sees it all.
    RowRule("audit_log", (Allowed(M.ADMINISTRATION, Operation.VIEW),
                          Follows("entity_id", "customers", ("entity", "customer")))),
)

# Tables changed through a SQL tool leave an audit row (everything but the logs themselves:
# the read trail is written in transactions of its own, without an audit row).
NOT_WATCHED: Final = frozenset({"audit_log", READ_TRAIL, "alembic_version",
                                "document_sequences"})
# The derived search tables, written by the ten thousand rows in an import's chunk (about 57
# rows a customer): on PostgreSQL their outside-change check is made once per statement
# rather than once per row at COMMIT, which had cost 5 to 6 µs a row, a quarter of a
# person's import. A change made outside StationCRM is recorded row by row all the same.
WATCHED_BY_STATEMENT: Final = frozenset({SEARCH_KEYS, NAME_SUFFIXES, "phone_suffixes"})

# What everyone may read of every customer, for the duplicate check and the locked rows of
# the customer list: a name and whose customer it is, and the keys the search uses.
DIRECTORY_COLUMNS: Final = ("id", "code", "name", "short_name", "owner_id", "name_key",
                            "pinyin_full", "pinyin_initials", "core_initials",
                            "short_initials", "sort_key", "status", "source")

# The shortest phone number the duplicate check answers for: a fragment finds nothing.
MIN_PHONE_DIGITS: Final = 7


def access_rows() -> Iterator[tuple[str, str, str, str, str]]:
    """``ACCESS`` as plain rows (table, privilege, module, operation, column) for the
    database's own copy of the catalogue; '' stands for "any" and "all columns"."""
    seen: set[tuple[str, str, str, str, str]] = set()
    for a in ACCESS:
        for column in a.columns or ("",):
            row = (a.table, a.privilege, a.module.value if a.module else "",
                   a.operation.value if a.operation else "", column)
            if row not in seen:
                seen.add(row)
                yield row
