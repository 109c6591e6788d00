"""Issue 15's rough edges, each as a person meets it: what the screen shows, where Tab and
the cursor go, which words a message uses."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.models import AppSetting
from app.services.care import RUN_KEY, generate_care_items
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.care.page import CarePage
from app.ui.context import AppContext
from tests.services.test_care import ON
from tests.ui.test_care_ui import world  # noqa: F401 - the fixture

MakeContext = Callable[..., AppContext]


# --- the care page: "not generated yet" only above an empty list ----------------------------

def test_care_page_says_not_generated_only_when_no_item_is_listed(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    world: dict[str, int],  # noqa: F811
) -> None:
    generate_care_items(uow=uow, actor=manager, on=ON)
    with uow:  # items there (the demo writes them itself), but no generation recorded
        uow.session.execute(update(AppSetting).where(AppSetting.key == RUN_KEY)
                            .values(value="{}"))
        uow.commit()
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: len(page.items) == 5)
    qtbot.wait(50)
    assert "not been generated" not in page.generation_label.text()


def test_care_page_says_not_generated_above_an_empty_list(
    qtbot: QtBot, make_context: MakeContext, manager: Actor,
) -> None:
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.generation_label.text()
                    == "Care items have not been generated yet.")
    assert page.model.rowCount() == 0
