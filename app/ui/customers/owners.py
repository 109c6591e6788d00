"""Who may own a customer: the people offered in the owner filter and the card's owner picker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from app.models.enums import Module, Operation
from app.services.users import UserChoice, list_active_users
from app.ui.context import AppContext

# The roles whose users look after customers (and so appear in owner lists).
OWNER_ROLES = ("counter_clerk", "sales", "management_clerk", "general_manager", "repair_lead")
# Management gives customers to other people; everyone else keeps the owner as it is.
# Only for showing the picker: the service refuses an owner outside the actor's data scope.
REASSIGNING_ROLES = frozenset({"management_clerk", "general_manager"})


def may_reassign(ctx: AppContext) -> bool:
    """Whether the card offers the owner picker to the logged-in user."""
    return (ctx.actor.role_code in REASSIGNING_ROLES
            and ctx.can(Module.CUSTOMERS, Operation.EDIT))


def load_owner_choices(
    ctx: AppContext, *, on_done: Callable[[tuple[UserChoice, ...]], Any],
    on_error: Callable[[BaseException], Any], owner: QObject,
) -> None:
    """Read the active users of :data:`OWNER_ROLES` on the worker, sorted by name."""
    actor = ctx.actor
    ctx.run(lambda uow: list_active_users(uow=uow, actor=actor, role_codes=OWNER_ROLES),
            on_done=on_done, on_error=on_error, owner=owner)


def owner_texts(users: tuple[UserChoice, ...]) -> list[tuple[int, str]]:
    """(id, text) for each user; a name two people share gets the login name beside it."""
    counts: dict[str, int] = {}
    for user in users:
        counts[user.display_name] = counts.get(user.display_name, 0) + 1
    return [(u.id, u.display_name if counts[u.display_name] == 1
             else f"{u.display_name} ({u.username})") for u in users]
