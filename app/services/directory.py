"""What any use case may read of a customer, in or outside the actor's data scope.

A use case that takes a customer id (a visit, a lead, a plan, a task, a contract) first
asks whether the customer exists and whose it is, then applies the data-scope rule and
says "you may not" for someone else's customer. On a secured server row security hides
such a customer's row from the person's own login, so the question goes to the customer
directory (name, owner and source of every customer, no contact details) and gets the
same answer on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from app.models.customers import customer_directory
from app.models.enums import CustomerSource
from app.services.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class CustomerEntry:
    id: int
    name: str
    owner_id: int | None
    source: CustomerSource


def _entry_statement(customer_id: int) -> Select[Any]:
    d = customer_directory.c
    return select(d.id, d.name, d.owner_id, d.source).where(d.id == customer_id)


def read_entry_ahead(uow: UnitOfWork, customer_id: object) -> None:
    """Have :func:`customer_entry`'s read sent ahead (``uow.read_ahead``), for a use case
    that asks for it later in its transaction."""
    if isinstance(customer_id, int) and not isinstance(customer_id, bool):
        uow.read_ahead(_entry_statement(customer_id))


def customer_entry(uow: UnitOfWork, customer_id: object) -> CustomerEntry | None:
    """The customer's directory entry, or None if there is no such customer."""
    if not isinstance(customer_id, int) or isinstance(customer_id, bool):
        return None
    row = uow.session.execute(_entry_statement(customer_id)).one_or_none()
    if row is None:
        return None
    return CustomerEntry(id=row.id, name=row.name, owner_id=row.owner_id,
                         source=CustomerSource(row.source))
