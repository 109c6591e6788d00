"""Which screen opens a record of each kind when it is opened from a customer's timeline.

A module's screen plugs in by registering a callable for its kind in :func:`record_openers`
(the same way :func:`app.ui.shell.pages.page_factories` lists the module pages)::

    from app.ui.orders.order_dialog import open_order
    openers.register("order", open_order)  # open_order(ctx, order_id, parent)

A kind with no screen yet is shown read-only by the timeline itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext
from app.ui.record_labels import KINDS

# opener(ctx, record_id, parent): open the record's screen (a dialog opened with open()).
RecordOpener = Callable[[AppContext, int, QWidget | None], object]


class RecordOpeners:
    """Kind → the callable that opens such a record."""

    def __init__(self, openers: Mapping[str, RecordOpener] | None = None) -> None:
        self._openers: dict[str, RecordOpener] = {}
        for kind, opener in (openers or {}).items():
            self.register(kind, opener)

    def register(self, kind: str, opener: RecordOpener) -> None:
        """Open records of ``kind`` with ``opener`` (replacing an earlier one)."""
        if kind not in KINDS:
            raise ValueError(f"unknown record kind {kind!r}; expected one of {KINDS}")
        self._openers[kind] = opener

    def unregister(self, kind: str) -> None:
        self._openers.pop(kind, None)

    def opener_for(self, kind: str) -> RecordOpener | None:
        return self._openers.get(kind)

    def __contains__(self, kind: object) -> bool:
        return kind in self._openers

    def __iter__(self) -> Iterator[str]:
        return iter(self._openers)


def record_openers() -> RecordOpeners:
    """The record screens built so far; every other kind gets the read-only summary."""
    from app.ui.opportunities.opportunity_dialog import open_opportunity
    from app.ui.sales.order_dialog import open_order
    from app.ui.sales.payment_dialog import open_payment
    from app.ui.sales.quotation_dialog import open_quotation
    from app.ui.service.repair_record_dialog import open_repair_record
    from app.ui.service.ticket_dialog import open_ticket
    from app.ui.visits.visit_dialog import open_visit

    openers = RecordOpeners()
    openers.register("visit", open_visit)
    # Screens register here as their modules arrive (issues 4 to 6).
    openers.register("quotation", open_quotation)
    openers.register("order", open_order)
    openers.register("payment", open_payment)
    openers.register("opportunity", open_opportunity)
    openers.register("service_ticket", open_ticket)
    openers.register("repair", open_repair_record)  # with "Open ticket" for the ticket
    return openers
