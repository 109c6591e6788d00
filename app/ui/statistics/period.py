"""The period row of the statistics window's tabs: a choice of period and its two dates.

Choosing a period fills the dates and reads again; editing a date switches the choice to
"custom" (which must be one of the periods) and reads again. The statistics tabs and the
customer base protection tab differ only in their periods and how each becomes dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, QObject
from PySide6.QtWidgets import QComboBox, QDateEdit, QWidget

CUSTOM = "custom"


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class PeriodPicker(QObject):
    """The combo box ``combo`` and the date edits ``from_edit``/``to_edit`` of ``owner``.

    ``span(period)`` gives a period's first and last day (never asked for ``"custom"``);
    ``changed()`` is called when the person picked another period or edited a date.
    ``names`` are the three widgets' object names.
    """

    def __init__(self, owner: QWidget, *, periods: Sequence[str], label: Callable[[str], str],
                 span: Callable[[str], tuple[dt.date, dt.date]], start: str,
                 names: tuple[str, str, str], changed: Callable[[], None]) -> None:
        super().__init__(owner)
        self._periods = tuple(periods)
        self._span = span
        self._changed = changed
        self.combo = QComboBox(owner)
        self.combo.setObjectName(names[0])
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for period in self._periods:
            self.combo.addItem(label(period), period)
        self.from_edit, self.to_edit = (self._date_edit(owner, name) for name in names[1:])
        self.combo.setCurrentIndex(self._periods.index(start))
        self.apply(start)
        self.combo.currentIndexChanged.connect(self._period_changed)
        for edit in (self.from_edit, self.to_edit):
            edit.dateChanged.connect(self._dates_edited)

    @staticmethod
    def _date_edit(owner: QWidget, name: str) -> QDateEdit:
        edit = QDateEdit(owner)
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def dates(self) -> tuple[dt.date, dt.date]:
        return pydate(self.from_edit.date()), pydate(self.to_edit.date())

    def apply(self, period: str) -> None:
        """Put ``period``'s dates in the edits, without calling ``changed``."""
        if period == CUSTOM:
            return
        first, last = self._span(period)
        for edit, day in ((self.from_edit, first), (self.to_edit, last)):
            edit.blockSignals(True)
            edit.setDate(qdate(day))
            edit.blockSignals(False)

    def _period_changed(self, _index: int) -> None:
        period = self.combo.currentData()
        if period != CUSTOM:
            self.apply(period)
            self._changed()

    def _dates_edited(self, _day: QDate) -> None:
        custom = self._periods.index(CUSTOM)
        if self.combo.currentIndex() != custom:
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(custom)
            self.combo.blockSignals(False)
        self._changed()


__all__ = ["CUSTOM", "PeriodPicker", "pydate", "qdate"]
