"""Customer base protection (客户资源安全) in the statistics window.

Everyone's last day of the period against their own usual, the period's daily totals as a
chart, and the flagged days (app.services.customer_guard); Enter or double-click on an
alert lists everything the person read that day. Management enters the day a person gave
notice and tunes the rules; the alerts go to Excel. Every look is audited by the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDateTime,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeyEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from app.labels import label
from app.models.enums import Module, Operation, ReadAction
from app.services import customer_guard
from app.services.customer_guard import (
    GuardAlert,
    GuardOverview,
    GuardRules,
    PersonSummary,
    ReadLine,
    RulesSetting,
)
from app.services.errors import ValidationError
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date
from app.ui.kit.fields import clear_field_error, error_label, parse_decimal, show_field_error
from app.ui.kit.form_dialog import FormDialog
from app.ui.kit.list_page import prepare_table
from app.ui.kit.table import Col, PagedTableModel, PageRequest
from app.ui.statistics.chart import _chart_font, export_folder, file_part, new_chart
from app.ui.statistics.period import PeriodPicker, pydate, qdate

ERROR_STYLE = "color: #b00020;"
CAPTION_STYLE = "color: #666666;"
ALERT_COLOUR = QColor("#b00020")
CARDS_COLOUR = QColor("#2e7dd7")
LISTED_COLOUR = QColor("#f29d38")

PERIODS = ("last_30", "last_90", "custom")
PERIOD_DAYS: Mapping[str, int] = {"last_30": 30, "last_90": 90}
PERIOD_LABELS: Mapping[str, str] = {
    "last_30": QT_TRANSLATE_NOOP("CustomerGuardPanel", "Last 30 days"),
    "last_90": QT_TRANSLATE_NOOP("CustomerGuardPanel", "Last 90 days"),
    "custom": QT_TRANSLATE_NOOP("CustomerGuardPanel", "Custom dates"),
}

# Column titles, shared by the three tables.
_TITLES: Mapping[str, str] = {
    "person": QT_TRANSLATE_NOOP("GuardColumns", "Person"),
    "department": QT_TRANSLATE_NOOP("GuardColumns", "Department"),
    # The people's headings on two lines: the table shares its width with the chart.
    "cards_vs_usual": QT_TRANSLATE_NOOP("GuardColumns", "Cards opened\n/ usual"),
    "listed_vs_usual": QT_TRANSLATE_NOOP("GuardColumns", "Customers listed\n/ usual"),
    "days_flagged": QT_TRANSLATE_NOOP("GuardColumns", "Days\nflagged"),
    "gave_notice": QT_TRANSLATE_NOOP("GuardColumns", "Gave notice\non"),
    "exported": QT_TRANSLATE_NOOP("GuardColumns", "Exported"),
    "printed": QT_TRANSLATE_NOOP("GuardColumns", "Printed"),
    "day": QT_TRANSLATE_NOOP("GuardColumns", "Day"),
    "why": QT_TRANSLATE_NOOP("GuardColumns", "Why"),
    "time": QT_TRANSLATE_NOOP("GuardColumns", "Time"),
    "action": QT_TRANSLATE_NOOP("GuardColumns", "Action"),
    "code": QT_TRANSLATE_NOOP("GuardColumns", "Customer code"),
    "customer": QT_TRANSLATE_NOOP("GuardColumns", "Customer"),
    "customers": QT_TRANSLATE_NOOP("GuardColumns", "Customers"),
    "detail": QT_TRANSLATE_NOOP("GuardColumns", "Details"),
}

# The rules' fields in the order the dialog shows them, with their captions.
RULE_CAPTIONS: Mapping[str, str] = {
    "factor": QT_TRANSLATE_NOOP("GuardRulesDialog", "Flag above usual × (factor):"),
    "min_reads": QT_TRANSLATE_NOOP("GuardRulesDialog", "…and at least cards opened:"),
    "min_listed": QT_TRANSLATE_NOOP("GuardRulesDialog", "…or customers listed:"),
    "min_outside": QT_TRANSLATE_NOOP("GuardRulesDialog", "…or cards of others' customers:"),
    "baseline_weeks": QT_TRANSLATE_NOOP("GuardRulesDialog", "Usual from the last (weeks):"),
    "sweep_searches": QT_TRANSLATE_NOOP("GuardRulesDialog",
                                        "Searches in alphabetical order:"),
    "sweep_cards": QT_TRANSLATE_NOOP("GuardRulesDialog", "Cards opened in list order:"),
    "office_from": QT_TRANSLATE_NOOP("GuardRulesDialog", "Office hours from:"),
    "office_to": QT_TRANSLATE_NOOP("GuardRulesDialog", "Office hours to:"),
    "after_hours_prints": QT_TRANSLATE_NOOP("GuardRulesDialog",
                                            "Documents printed outside office hours:"),
    "notice_days": QT_TRANSLATE_NOOP("GuardRulesDialog", "Days watched after notice:"),
    "notice_factor": QT_TRANSLATE_NOOP("GuardRulesDialog", "Factor after notice:"),
}
_TIMES = ("office_from", "office_to")


def _title(key: str) -> str:
    return QCoreApplication.translate("GuardColumns", _TITLES[key])


def _number(value: Callable[[Any], int]) -> Callable[[Any], str]:
    return lambda r: f"{value(r):,}"


def against_usual(value: int, usual: int) -> str:
    """A day's figure and the person's usual in one cell: ``"108 / 8"``."""
    return f"{value:,} / {usual:,}"


# --- columns -----------------------------------------------------------------------------------


def people_columns(flagged_today: Callable[[int], bool]) -> list[Col[PersonSummary]]:
    """Everyone's last day of the period; the cards of a person flagged that day in red."""
    def alarm(r: PersonSummary, role: int) -> Any:
        if not flagged_today(r.user_id):
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(ALERT_COLOUR)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    return [
        Col("person", _title("person"), lambda r: r.user_name, width=90),
        Col("department", _title("department"), lambda r: r.department or "", width=100),
        Col("cards", _title("cards_vs_usual"),
            lambda r: against_usual(r.today.cards, r.usual_cards),
            sort_value=lambda r: r.today.cards, width=100, role=alarm).money(),
        Col("listed", _title("listed_vs_usual"),
            lambda r: against_usual(r.today.listed, r.usual_listed),
            sort_value=lambda r: r.today.listed, width=110).money(),
        Col("exported", _title("exported"), _number(lambda r: r.today.exported),
            sort_value=lambda r: r.today.exported, width=70).money(),
        Col("printed", _title("printed"), _number(lambda r: r.today.printed),
            sort_value=lambda r: r.today.printed, width=70).money(),
        Col("alerts", _title("days_flagged"), _number(lambda r: r.alerts),
            sort_value=lambda r: r.alerts, width=80, role=lambda r, role: (
                QBrush(ALERT_COLOUR) if r.alerts and role == Qt.ItemDataRole.ForegroundRole
                else None)).money(),
        Col("notice", _title("gave_notice"), lambda r: format_date(r.notice_on),
            sort_value=lambda r: r.notice_on or dt.date.min, width=100),
    ]


def alert_columns() -> list[Col[GuardAlert]]:
    """Day, person and why (the reasons name the figures against the usual)."""
    return [
        Col("day", _title("day"), lambda r: format_date(r.day), sort_value=lambda r: r.day,
            width=95),
        Col("person", _title("person"), lambda r: r.user_name, width=80,
            role=lambda r, role: (r.department or None
                                  if role == Qt.ItemDataRole.ToolTipRole else None)),
        # The last column stretches to the table's edge; longer reasons end in "…" and
        # show whole in the tool tip and the drill-down.
        Col("why", _title("why"), lambda r: r.text, width=200,
            role=lambda r, role: r.text if role == Qt.ItemDataRole.ToolTipRole else None),
    ]


Numbered = tuple[int, ReadLine]


def read_columns(language: str | None = None) -> list[Col[Numbered]]:
    def tip(text: Callable[[ReadLine], str | None]) -> Callable[[Numbered, int], Any]:
        return lambda r, role: (text(r[1]) or None
                                if role == Qt.ItemDataRole.ToolTipRole else None)

    return [
        Col("time", _title("time"), lambda r: r[1].time, sort_value=lambda r: r[0], width=60),
        Col("action", _title("action"), lambda r: label(r[1].action, language=language),
            width=110),
        Col("code", _title("code"), lambda r: r[1].code or "", width=110),
        Col("customer", _title("customer"), lambda r: r[1].name or "", width=230,
            role=tip(lambda line: line.name)),
        Col("customers", _title("customers"), _number(lambda r: r[1].customers),
            sort_value=lambda r: r[1].customers, width=70).money(),
        Col("detail", _title("detail"), lambda r: r[1].detail or "", width=160,
            role=tip(lambda line: line.detail)),
    ]


def _given(query: Any, request: PageRequest, on_done: Callable[[Any], None],
           on_error: Callable[[BaseException], None]) -> None:
    """The loader of rows already read: the overview brings them all at once, as the
    query."""
    on_done(tuple(query or ()))


def _fit_columns(view: QTableView, *, but_last: bool = False) -> None:
    """Columns as wide as their heading and cells (within reason); the last one of a table
    whose last column stretches keeps stretching."""
    header = view.horizontalHeader()
    count = header.count() - (1 if but_last else 0)
    for column in range(count):
        view.resizeColumnToContents(column)
        view.setColumnWidth(column, min(max(view.columnWidth(column) + 12, 60), 240))


def _list_view(parent: QWidget, name: str, model: PagedTableModel) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    prepare_table(view, model)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    return view


# --- chart -------------------------------------------------------------------------------------


class GuardChartView(QChartView):
    """Everyone's cards opened (left axis) and customers listed (right axis) per day, with
    the flagged days marked in red on the cards line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guard_chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(320, 240)
        self.set_overview(None)

    def set_overview(self, overview: GuardOverview | None) -> None:
        chart = new_chart()
        if overview is not None and overview.daily:
            self._fill(chart, overview)
        else:
            chart.legend().hide()
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def _fill(self, chart: QChart, overview: GuardOverview) -> None:
        chart.setTitle(self.tr("Everyone's reads per day"))

        def x(day: dt.date) -> float:
            return float(QDateTime(qdate(day), QTime(12, 0)).toMSecsSinceEpoch())

        cards, listed = QLineSeries(), QLineSeries()
        cards.setName(self.tr("Cards opened"))
        listed.setName(self.tr("Customers listed"))
        pen = cards.pen()
        pen.setColor(CARDS_COLOUR)
        pen.setWidthF(2.0)
        cards.setPen(pen)
        listed.setColor(LISTED_COLOUR)
        for day, opened, shown in overview.daily:
            cards.append(x(day), float(opened))
            listed.append(x(day), float(shown))
        flagged = QScatterSeries()
        flagged.setName(self.tr("Days flagged"))
        flagged.setColor(ALERT_COLOUR)
        flagged.setBorderColor(ALERT_COLOUR)
        flagged.setMarkerSize(8.0)
        totals = {day: opened for day, opened, _shown in overview.daily}
        for day in sorted({a.day for a in overview.alerts}):
            if day in totals:
                flagged.append(x(day), float(totals[day]))
        for series in (cards, listed, flagged):
            chart.addSeries(series)

        days = QDateTimeAxis()
        days.setFormat("MM-dd")
        days.setLabelsFont(_chart_font(0.85))
        days.setTickCount(min(len(overview.daily), 7))
        first, last = overview.daily[0][0], overview.daily[-1][0]
        days.setRange(QDateTime(qdate(first), QTime(0, 0)),
                      QDateTime(qdate(last), QTime(23, 59)))
        left, right = QValueAxis(), QValueAxis()
        for axis, values, colour in (
                (left, [o for _d, o, _s in overview.daily], CARDS_COLOUR),
                (right, [s for _d, _o, s in overview.daily], LISTED_COLOUR)):
            axis.setLabelsFont(_chart_font(0.85))
            axis.setLabelFormat("%.0f")
            axis.setLabelsColor(colour)
            axis.setRange(0.0, max(5.0, float(max(values, default=0))))
            axis.applyNiceNumbers()
        chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
        for series, values in ((cards, left), (flagged, left), (listed, right)):
            series.attachAxis(days)
            series.attachAxis(values)
        if not flagged.count():
            chart.legend().markers(flagged)[0].setVisible(False)

    def point_count(self) -> int:
        """Points on the cards line (one per day of the period)."""
        lines = [s for s in self.chart().series() if isinstance(s, QLineSeries)
                 and not isinstance(s, QScatterSeries)]
        return max((s.count() for s in lines), default=0)

    def flagged_count(self) -> int:
        return sum(s.count() for s in self.chart().series() if isinstance(s, QScatterSeries))


# --- drill-down --------------------------------------------------------------------------------


class ReadTrailDialog(QDialog):
    """Everything one person read on one day (:func:`customer_guard.read_lines`); Enter or
    double-click on a line with a customer opens the customer's 360° view."""

    def __init__(self, ctx: AppContext, user_id: int, user_name: str, day: dt.date, *,
                 why: str = "", open_customer: Callable[[int, QWidget], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("read_trail_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self.user_id = user_id
        self.day = day
        self._open_customer = open_customer
        self.lines: tuple[ReadLine, ...] | None = None
        self.setWindowTitle(self.tr("What {person} read on {day}").format(
            person=user_name, day=format_date(day)))

        self.title_label = QLabel(self.tr("{person} · {day}").format(
            person=user_name, day=format_date(day)), self)
        self.title_label.setObjectName("read_trail_title")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.why_label = QLabel(why, self)
        self.why_label.setObjectName("read_trail_why")
        self.why_label.setWordWrap(True)
        self.why_label.setStyleSheet(ERROR_STYLE)
        self.why_label.setVisible(bool(why))
        self.busy = QProgressBar(self)
        self.busy.setObjectName("read_trail_busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)

        self.model = PagedTableModel(read_columns(ctx.language), self._load, local=True,
                                     row_id=lambda r: r[0], parent=self)
        self.model.page_loaded.connect(self._shown)
        self.model.load_failed.connect(self._failed)
        self.table = _list_view(self, "read_trail_table", self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("read_trail_summary")
        bold = self.summary_label.font()
        bold.setBold(True)
        self.summary_label.setFont(bold)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("read_trail_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(ERROR_STYLE)
        self.note_label.hide()
        hint = QLabel(self.tr("Enter or double-click opens the customer's 360° view."), self)
        hint.setObjectName("read_trail_hint")
        hint.setStyleSheet(CAPTION_STYLE)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)   # Enter belongs to the table
        close.setDefault(False)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.busy)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.summary_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.why_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.note_label)
        layout.addWidget(buttons)
        self.resize(860, 520)
        self.model.set_query((user_id, day), force=True)

    def _load(self, query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        user_id, day = query
        actor = self._ctx.actor

        def done(lines: tuple[ReadLine, ...]) -> None:
            self.lines = lines
            on_done(tuple(enumerate(lines)))

        self._ctx.run(lambda uow: customer_guard.read_lines(uow=uow, actor=actor,
                                                            user_id=user_id, day=day),
                      on_done=done, on_error=on_error, owner=self)

    @property
    def is_loading(self) -> bool:
        return self.lines is None and self.note_label.isHidden()

    def _shown(self) -> None:
        if self.lines is None:
            return
        self.busy.hide()
        opened = {line.customer_id for line in self.lines
                  if line.action in (ReadAction.CARD, ReadAction.OVERVIEW)
                  and line.customer_id is not None}
        self.summary_label.setText(self.tr("{reads} reads, {cards} customers opened").format(
            reads=f"{len(self.lines):,}", cards=f"{len(opened):,}"))
        if self.lines:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.note_label.setText(describe_error(error).text)
        self.note_label.show()

    def open_row(self, row: int) -> None:
        found = self.model.row_at(row)
        if found is None or self._open_customer is None:
            return
        customer_id = found[1].customer_id
        if customer_id is not None:
            self._open_customer(customer_id, self)


# --- dialogs of management ---------------------------------------------------------------------


class NoticeDialog(FormDialog):
    """The day a person gave notice (提出离职日期), or none."""

    def __init__(self, ctx: AppContext, person: PersonSummary, version: int, *,
                 today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name="notice", width=380, title=QCoreApplication.translate(
            "NoticeDialog", "Notice of {person}").format(person=person.user_name))
        self.person = person
        self.version = version
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("notice_date")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setDate(qdate(person.notice_on or today))
        self.clear_box = QCheckBox(self.tr("Has not given notice (clear the date)"), self)
        self.clear_box.setObjectName("notice_clear")
        self.clear_box.setVisible(person.notice_on is not None)
        self.clear_box.toggled.connect(lambda on: self.date_edit.setEnabled(not on))
        explain = QLabel(self.tr("For some days after it, a smaller rise above the usual "
                                 "already raises an alert."), self)
        explain.setWordWrap(True)
        explain.setStyleSheet(CAPTION_STYLE)
        self.form.addRow(explain)
        self.form.addRow(self.tr("Gave notice on:"), self.date_edit)
        self.form.addRow(self.clear_box)

    def save(self) -> None:
        notice = None if self.clear_box.isChecked() else pydate(self.date_edit.date())
        actor, user_id, version = self._ctx.actor, self.person.user_id, self.version
        self.write(lambda uow: customer_guard.set_notice(
            uow=uow, actor=actor, user_id=user_id, notice_on=notice,
            expected_version=version))


class GuardRulesDialog(FormDialog):
    """The thresholds of the alerts; a refused value is marked at its field."""

    def __init__(self, ctx: AppContext, setting: RulesSetting,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent, name="guard_rules", width=460,
                         title=QCoreApplication.translate("GuardRulesDialog",
                                                          "Customer base protection rules"))
        self.setting = setting
        self.inputs: dict[str, QWidget] = {}
        self.field_errors: dict[str, QLabel] = {}
        explain = QLabel(self.tr(
            "A person's day is flagged when it is far above their usual (the same weekday "
            "of the weeks before), when they go through the list in order, or when they "
            "export or print outside office hours."), self)
        explain.setObjectName("guard_rules_explain")
        explain.setWordWrap(True)
        explain.setStyleSheet(CAPTION_STYLE)
        self.form.addRow(explain)
        rules = setting.rules
        for f in fields(GuardRules):
            value = getattr(rules, f.name)
            widget: QWidget
            if isinstance(value, Decimal):
                line = QLineEdit(str(value), self)
                line.setMaximumWidth(90)
                widget = line
            elif f.name in _TIMES:
                time = QTimeEdit(self)
                time.setDisplayFormat("HH:mm")
                time.setTime(QTime(min(value, 24 * 60 - 1) // 60, value % 60))
                widget = time
            else:
                spin = QSpinBox(self)
                weeks = f.name == "baseline_weeks"
                spin.setRange(1 if weeks else 0, 52 if weeks else 1_000_000)
                spin.setGroupSeparatorShown(True)
                spin.setValue(value)
                spin.setMinimumWidth(90)
                widget = spin
            widget.setObjectName(f"rule_{f.name}")
            error = error_label(f"rule_{f.name}", self)
            cell = QWidget(self)
            box = QVBoxLayout(cell)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
            box.addWidget(error)
            caption = QCoreApplication.translate("GuardRulesDialog", RULE_CAPTIONS[f.name])
            self.form.addRow(caption, cell)
            self.inputs[f.name] = widget
            self.field_errors[f.name] = error

    def rules(self) -> GuardRules | None:
        """What the fields say; None (and the field marked) when a factor is no number."""
        values: dict[str, Any] = {}
        bad = False
        for name, widget in self.inputs.items():
            clear_field_error(self.field_errors[name], widget)
            if isinstance(widget, QLineEdit):
                number = parse_decimal(widget.text())
                if number is None:
                    show_field_error(self.field_errors[name], widget,
                                     self.tr("Enter a number, such as 3 or 1.5."))
                    bad = True
                values[name] = number
            elif isinstance(widget, QTimeEdit):
                values[name] = widget.time().hour() * 60 + widget.time().minute()
            elif isinstance(widget, QSpinBox):
                values[name] = widget.value()
        if bad:
            self.refuse(self.tr("Nothing was saved: correct the fields marked in red."))
            return None
        return replace(GuardRules(), **values)

    def save(self) -> None:
        rules = self.rules()
        if rules is None:
            return
        actor, version = self._ctx.actor, self.setting.version
        self.write(lambda uow: customer_guard.save_rules(uow=uow, actor=actor, rules=rules,
                                                         expected_version=version))

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, ValidationError):
            super()._failed(error)
            return
        self.save_button.setEnabled(True)
        unplaced = []
        for name, message in error.errors.items():
            if name in self.inputs:
                show_field_error(self.field_errors[name], self.inputs[name], message)
            else:
                unplaced.append(message)
        self.errors.setText("\n".join(
            [self.tr("Nothing was saved: correct the fields marked in red."), *unplaced]))


# --- the panel ---------------------------------------------------------------------------------


class CustomerGuardPanel(QWidget):
    """客户资源安全: people against their usual, daily totals, alerts with their reads.

    Signals:
        overview_shown(): an overview was loaded and is on screen (tests wait for it).
        customer_activated(int): a customer chosen in a drill-down (the 360° view opens).
        exported(str): the alerts were written to this path.
    """

    overview_shown = Signal()
    customer_activated = Signal(int)
    exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.setObjectName("customer_guard_panel")
        self._ctx = ctx
        self._today = today
        self._generation = 0
        self._loading = False
        self._exporting = False
        self._asked = False
        self._sized = False
        self.overview: GuardOverview | None = None
        self.error: BaseException | None = None
        self.read_dialog: ReadTrailDialog | None = None
        self.form_dialog: FormDialog | None = None
        self.last_export: Path | None = None
        self._flagged_today: set[int] = set()
        self.may_edit = ctx.can(Module.CUSTOMER_GUARD, Operation.EDIT)
        self.may_export = ctx.can(Module.CUSTOMER_GUARD, Operation.EXPORT)

        # --- title, state and actions
        self.title_label = QLabel(self.tr("Customer base protection"), self)
        self.title_label.setObjectName("guard_title")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title_label.setFont(font)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("guard_message")
        self.busy = QProgressBar(self)
        self.busy.setObjectName("guard_busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedWidth(90)
        self.busy.hide()
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("guard_refresh")
        self.refresh_button.setToolTip(self.tr("Compute again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.notice_button = QPushButton(self.tr("Enter notice…"), self)
        self.notice_button.setObjectName("guard_notice")
        self.notice_button.clicked.connect(self.ask_notice)
        self.rules_button = QPushButton(self.tr("Rules…"), self)
        self.rules_button.setObjectName("guard_rules")
        self.rules_button.setToolTip(self.tr("When a day is flagged"))
        self.rules_button.clicked.connect(self.ask_rules)
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("guard_export")
        self.export_button.setToolTip(self.tr("Save the alerts of the period as an Excel "
                                              "file"))
        self.export_button.clicked.connect(self.ask_export)
        self.notice_button.setVisible(self.may_edit)
        self.rules_button.setVisible(self.may_edit)
        self.export_button.setVisible(self.may_export)

        # --- period
        self.period_picker = PeriodPicker(
            self, periods=PERIODS, start="last_90",
            label=lambda period: QCoreApplication.translate("CustomerGuardPanel",
                                                            PERIOD_LABELS[period]),
            span=self._last_days, names=("guard_period", "guard_from", "guard_to"),
            changed=self.refresh)
        self.period_combo = self.period_picker.combo
        self.from_edit, self.to_edit = self.period_picker.from_edit, self.period_picker.to_edit
        period_row = QHBoxLayout()
        period_row.setSpacing(6)
        for caption, widget in ((self.tr("Period:"), self.period_combo),
                                (self.tr("From:"), self.from_edit),
                                (self.tr("To:"), self.to_edit)):
            caption_label = QLabel(caption, self)
            caption_label.setBuddy(widget)
            period_row.addWidget(caption_label)
            period_row.addWidget(widget)
            period_row.addSpacing(8)
        period_row.addStretch(1)

        # --- people and chart
        self.people_caption = QLabel(self)
        self.people_caption.setObjectName("guard_people_caption")
        self.people_model = PagedTableModel(
            people_columns(lambda user_id: user_id in self._flagged_today), _given,
            local=True, row_id=lambda r: r.user_id, parent=self)
        self.people_view = _list_view(self, "guard_people", self.people_model)
        self.people_view.activated.connect(lambda index: self.open_person(index.row()))
        self.people_view.selectionModel().currentRowChanged.connect(
            lambda *_a: self._update_buttons())
        people_box = QWidget(self)
        box = QVBoxLayout(people_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.people_caption)
        box.addWidget(self.people_view, 1)
        self.chart_view = GuardChartView(self)

        # --- alerts
        self.alerts_caption = QLabel(self)
        self.alerts_caption.setObjectName("guard_alerts_caption")
        bold = self.alerts_caption.font()
        bold.setBold(True)
        self.alerts_caption.setFont(bold)
        self.people_caption.setFont(bold)
        self.alerts_model = PagedTableModel(alert_columns(), _given, local=True,
                                            row_id=lambda r: (r.user_id, r.day), parent=self)
        self.alerts_view = _list_view(self, "guard_alerts", self.alerts_model)
        self.alerts_view.activated.connect(lambda index: self.open_alert(index.row()))
        alerts_box = QWidget(self)
        box = QVBoxLayout(alerts_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.alerts_caption)
        box.addWidget(self.alerts_view, 1)
        # The people across the whole width (their columns need it); under them the
        # alerts beside the chart.
        self.bottom_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.bottom_splitter.addWidget(alerts_box)
        self.bottom_splitter.addWidget(self.chart_view)
        self.bottom_splitter.setStretchFactor(0, 3)
        self.bottom_splitter.setStretchFactor(1, 2)
        self.bottom_splitter.setChildrenCollapsible(False)
        self.body_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.body_splitter.addWidget(people_box)
        self.body_splitter.addWidget(self.bottom_splitter)
        self.body_splitter.setChildrenCollapsible(False)
        self.body_splitter.setStretchFactor(0, 2)
        self.body_splitter.setStretchFactor(1, 3)

        hint = QLabel(self.tr("Enter or double-click on an alert lists everything the person "
                              "read that day; on a person, what they read on the last day. "
                              "F5 computes again. Every look here is recorded in the audit "
                              "log."), self)
        hint.setObjectName("guard_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet(CAPTION_STYLE)

        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.message_label, 1)
        title_row.addWidget(self.busy)
        for button in (self.refresh_button, self.notice_button, self.rules_button,
                       self.export_button):
            title_row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(title_row)
        layout.addLayout(period_row)
        layout.addWidget(self.body_splitter, 1)
        layout.addWidget(hint)
        self.setFocusProxy(self.alerts_view)

        self._update_buttons()

    # --- period ---------------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date]:
        return self.period_picker.dates()

    def _last_days(self, period: str) -> tuple[dt.date, dt.date]:
        last = self._today()
        return last - dt.timedelta(days=PERIOD_DAYS[period] - 1), last

    # --- loading --------------------------------------------------------------------------

    @property
    def is_loading(self) -> bool:
        return self._loading

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._asked:   # the first time it is shown: reading the trail is audited
            self.refresh()

    def refresh(self) -> None:
        """Compute the period again (F5); older answers are dropped."""
        self._asked = True
        self._generation += 1
        generation, actor = self._generation, self._ctx.actor
        date_from, date_to = self.period()
        self._loading = True
        self._update_busy()
        self.message_label.setStyleSheet("")
        self.message_label.setText(self.tr("Computing…"))
        # Looked up when called (tests stand in for the service).
        self._ctx.run(lambda uow: customer_guard.guard_overview(
            uow=uow, actor=actor, date_from=date_from, date_to=date_to),
            on_done=lambda overview: self._loaded(generation, overview),
            on_error=lambda error: self._failed(generation, error), owner=self)

    def _update_busy(self) -> None:
        self.busy.setVisible(self._loading or self._exporting)

    def _loaded(self, generation: int, overview: GuardOverview) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._update_busy()
        self.error = None
        self.overview = overview
        chosen = self.selected_person()
        self._flagged_today = {a.user_id for a in overview.alerts
                               if a.day == overview.date_to}
        self.people_model.set_query(overview.people, force=True)
        self.alerts_model.set_query(tuple(reversed(overview.alerts)), force=True)
        self.chart_view.set_overview(overview)
        _fit_columns(self.people_view)
        _fit_columns(self.alerts_view, but_last=True)
        if not self._sized:
            self._share_space()
        self.people_caption.setText(self.tr("Each person on {day} against their usual").format(
            day=format_date(overview.date_to)))
        days = len(overview.alerts)
        people = len({a.user_id for a in overview.alerts})
        self.alerts_caption.setText(
            self.tr("Alerts: {days} days flagged; people: {people}").format(
                days=days, people=people) if days else self.tr("Alerts: none in this period"))
        self.message_label.setText(self.tr("{start} to {end}").format(
            start=format_date(overview.date_from), end=format_date(overview.date_to)))
        if chosen is not None:
            ids = [p.user_id for p in overview.people]
            if chosen.user_id in ids:
                self.people_view.selectRow(ids.index(chosen.user_id))
        if days and not self.alerts_view.currentIndex().isValid():
            self.alerts_view.selectRow(0)
        self._update_buttons()
        self.overview_shown.emit()

    def _share_space(self) -> None:
        """Once, at the first overview: the people as high as their rows need (a third to
        three fifths of the height), the chart about two fifths of the width below."""
        height, width = self.body_splitter.height(), self.bottom_splitter.width()
        if height <= 0 or width <= 0:
            return
        self._sized = True
        view = self.people_view
        rows = max(self.people_model.rowCount(), 3)
        needed = (self.people_caption.sizeHint().height() + view.horizontalHeader().sizeHint()
                  .height() + view.verticalHeader().defaultSectionSize() * rows
                  + 2 * view.frameWidth() + view.horizontalScrollBar().sizeHint().height())
        top = max(min(needed, height * 3 // 5), height // 3)
        self.body_splitter.setSizes([top, height - top])
        chart = max(width * 2 // 5, 340)
        self.bottom_splitter.setSizes([width - chart, chart])

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._update_busy()
        self.error = error
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setText(describe_error(error).text)

    def on_connection_restored(self) -> None:
        if self.error is not None:
            self.refresh()

    # --- selection and drill-down -----------------------------------------------------------

    def selected_person(self) -> PersonSummary | None:
        index = self.people_view.currentIndex()
        found = self.people_model.row_at(index.row()) if index.isValid() else None
        return found if isinstance(found, PersonSummary) else None

    def alert_at(self, row: int) -> GuardAlert | None:
        found = self.alerts_model.row_at(row)
        return found if isinstance(found, GuardAlert) else None

    def _update_buttons(self) -> None:
        person = self.selected_person()
        self.notice_button.setEnabled(self.may_edit and person is not None)
        if person is None:
            self.notice_button.setToolTip(self.tr("Choose a person in the table first."))
        else:
            self.notice_button.setToolTip(self.tr("Enter the day {person} gave notice").format(
                person=person.user_name))
        self.export_button.setEnabled(self.may_export and not self._exporting)

    def open_alert(self, row: int) -> ReadTrailDialog | None:
        """What the person of the alert at ``row`` read that day (Enter or double-click)."""
        alert = self.alert_at(row)
        if alert is None:
            return None
        return self._open_reads(alert.user_id, alert.user_name, alert.day, alert.text)

    def open_person(self, row: int) -> ReadTrailDialog | None:
        """What the person at ``row`` read on the last day of the period."""
        found = self.people_model.row_at(row)
        if not isinstance(found, PersonSummary) or self.overview is None:
            return None
        return self._open_reads(found.user_id, found.user_name, self.overview.date_to, "")

    def show_reads(self, user_id: int, name: str, day: dt.date, why: str = ""
                   ) -> ReadTrailDialog:
        """What ``name`` read on ``day``, opened from elsewhere (a to-do line, a notice;
        see app.ui.statistics.guard_open)."""
        return self._open_reads(user_id, name, day, why)

    def _open_reads(self, user_id: int, name: str, day: dt.date, why: str
                    ) -> ReadTrailDialog:
        dialog = ReadTrailDialog(self._ctx, user_id, name, day, why=why,
                                 open_customer=self._open_customer, parent=self)
        self.read_dialog = dialog
        dialog.open()
        return dialog

    def _open_customer(self, customer_id: int, dialog: QWidget) -> None:
        dialog.close()
        self.customer_activated.emit(customer_id)

    # --- notice and rules -------------------------------------------------------------------

    def ask_notice(self) -> NoticeDialog | None:
        """The day the selected person gave notice (登记离职)."""
        person = self.selected_person()
        if not self.may_edit or person is None:
            return None
        dialog = NoticeDialog(self._ctx, person, person.version, today=self._today(),
                              parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _version: self.refresh())
        self.form_dialog = dialog
        dialog.open()
        return dialog

    def ask_rules(self) -> None:
        """Read the rules, then open them for editing."""
        if not self.may_edit:
            return
        actor = self._ctx.actor
        self.rules_button.setEnabled(False)
        self._ctx.run(lambda uow: customer_guard.load_rules(uow=uow, actor=actor),
                      on_done=self._rules_loaded, on_error=self._rules_failed, owner=self)

    def _rules_loaded(self, setting: RulesSetting) -> None:
        self.rules_button.setEnabled(True)
        dialog = GuardRulesDialog(self._ctx, setting, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda _setting: self.refresh())
        self.form_dialog = dialog
        dialog.open()

    def _rules_failed(self, error: BaseException) -> None:
        self.rules_button.setEnabled(True)
        show_error(self, error)

    # --- export -----------------------------------------------------------------------------

    def suggested_file_name(self) -> str:
        date_from, date_to = self.period()
        title = file_part(self.tr("Customer base protection"))
        return f"{title}_{date_from.isoformat()}_{date_to.isoformat()}.xlsx"

    def ask_export(self) -> QFileDialog | None:
        """Ask where to save the period's alerts as an Excel file."""
        if not self.may_export or self._exporting:
            return None
        dialog = QFileDialog(self, self.tr("Export alerts"))
        dialog.setObjectName("guard_export_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Excel files (*.xlsx)"))
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(str(Path(self._export_folder()) / self.suggested_file_name()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_to)
        dialog.open()
        return dialog

    def _export_folder(self) -> str:
        return export_folder(self._ctx)

    def export_to(self, target: str | Path) -> None:
        """Write the period's alerts to ``target`` (.xlsx) on the worker."""
        if not self.may_export or self._exporting:
            return
        path = Path(target)
        date_from, date_to = self.period()
        actor = self._ctx.actor
        self._exporting = True
        self._update_buttons()
        self._update_busy()
        self.message_label.setStyleSheet("")
        self.message_label.setText(self.tr("Exporting…"))

        def work(uow: Any) -> tuple[Path, int]:
            rows = customer_guard.export_alerts(uow=uow, actor=actor, date_from=date_from,
                                                date_to=date_to, path=path)
            return path, rows

        self._ctx.run(work, on_done=self._exported, on_error=self._export_failed, owner=self)

    def _export_finished(self) -> None:
        self._exporting = False
        self._update_buttons()
        self._update_busy()

    def _exported(self, result: tuple[Path, int]) -> None:
        self._export_finished()
        path, rows = result
        self.last_export = path
        self._ctx.ui_settings().setValue(
            self._ctx.user_settings_key("statistics/export_folder"), str(path.parent))
        text = self.tr("{rows} alerts saved to {path}").format(rows=rows, path=str(path))
        self.message_label.setText(text)
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Export"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("guard_export_done")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.exported.emit(str(path))

    def _export_failed(self, error: BaseException) -> None:
        self._export_finished()
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)

    # --- keyboard ---------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # In the main window F5 and Ctrl+R are View → Refresh (which asks the page); this is
        # for the panel on its own.
        key, modifiers = event.key(), event.modifiers()
        if (key == Qt.Key.Key_F5 and not modifiers) or (
                key == Qt.Key.Key_R and modifiers == Qt.KeyboardModifier.ControlModifier):
            self.refresh()
            event.accept()
            return
        super().keyPressEvent(event)
