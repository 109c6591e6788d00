"""Who is offered importing (导入): without loading the wizard and the sheet readers,
which the lists that show the button do not need until it is pressed."""

from __future__ import annotations

from app.models.enums import DataScope, Module, Operation
from app.ui.context import AppContext


def may_import(ctx: AppContext) -> bool:
    """Whether to offer importing and the past imports: to whoever may create, change and
    delete (undo) customers over the whole customer base (management). The services check
    the same, and each kind's own permissions too (products, orders)."""
    return (ctx.can(Module.CUSTOMERS, Operation.CREATE)
            and ctx.can(Module.CUSTOMERS, Operation.EDIT)
            and ctx.can(Module.CUSTOMERS, Operation.DELETE)
            and ctx.permissions.scope(Module.CUSTOMERS) is DataScope.ALL)


__all__ = ["may_import"]
