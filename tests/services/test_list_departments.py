"""The departments offered in filters (statistics window)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import Department, User
from app.services.errors import PermissionDenied
from app.services.reference import DEPARTMENTS, list_departments


def test_active_departments_with_their_ids(uow, clerk):
    with uow:
        ids = dict(uow.session.execute(select(Department.code, Department.id)).all())
        uow.session.get(Department, ids["repair"]).active = False
        uow.commit()
    listed = list_departments(uow=uow, actor=clerk)
    codes = [d.code for d in listed]
    assert codes == sorted(code for code, *_ in DEPARTMENTS if code != "repair")
    office = next(d for d in listed if d.code == "manager_office")
    assert office.id == ids["manager_office"]
    assert office.name("zh") == "经理办" and office.name("en") == "Manager's office"


def test_a_deactivated_user_cannot_list_departments(uow, clerk):
    with uow:
        uow.session.get(User, clerk.user_id).active = False
        uow.commit()
    with pytest.raises(PermissionDenied):
        list_departments(uow=uow, actor=clerk)
