"""One repair record (维修记录), read-only: what was done, parts, charges, time, score.

Opened from a customer's timeline (kind "repair") and from management's confirmation
queue; from the queue it carries Confirm / Return… (see :class:`ConfirmBar`).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import ConfirmStatus, Module, Operation
from app.services.confirmation import RecordKind, RepairRecordDetail, get_repair_record
from app.ui import record_labels
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_local_datetime, format_yuan
from app.ui.kit.record_dialog import keep_open
from app.ui.management.confirm_bar import ConfirmBar
from app.ui.service.repair_dialog import job_type_label

RETURNED_STYLE = ("background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c;"
                  " border-radius: 3px; padding: 6px;")
CONFIRMED_STYLE = "color: #1b5e20;"


class RepairRecordDialog(QDialog):
    """Shows one repair record. With ``confirming`` (opened from the confirmation queue) a
    submitted record another person wrote gets Confirm / Return… buttons.

    Signals:
        decided(object): the ConfirmationResult after a confirm or return (the queue
        refreshes).
    """

    decided = Signal(object)

    def __init__(self, ctx: AppContext, record_id: int, parent: QWidget | None = None,
                 *, confirming: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("repair_record_dialog")
        self._ctx = ctx
        self.record_id = record_id
        self.confirming = confirming
        self.detail: RepairRecordDetail | None = None
        self.ticket_dialog: QDialog | None = None
        self.setWindowTitle(self.tr("Repair record"))

        self.banner = QLabel(self)
        self.banner.setObjectName("repair_record_banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.header_label = QLabel(self)
        self.header_label.setObjectName("repair_record_header")
        self.header_label.setWordWrap(True)
        self.header_label.setTextFormat(Qt.TextFormat.RichText)
        self.values: dict[str, QLabel] = {}
        form = self._form = QFormLayout()
        for key, label in (
            ("technician", self.tr("Technician:")),
            ("completed", self.tr("Completed:")),
            ("job", self.tr("Job type:")),
            ("cause", self.tr("Cause:")),
            ("result", self.tr("Result:")),
            ("time", self.tr("Time spent:")),
            ("labour", self.tr("Labour:")),
            ("parts_amount", self.tr("Parts:")),
            ("charge", self.tr("Charge:")),
            ("parts_cost", self.tr("Parts cost:")),
            ("rating", self.tr("Customer rating:")),
            ("score", self.tr("Service score:")),
            ("state", self.tr("State:")),
        ):
            value = QLabel(self)
            value.setObjectName(f"repair_record_{key}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.values[key] = value
            form.addRow(label, value)
            if key == "completed":
                self.work_edit = QPlainTextEdit(self)
                self.work_edit.setObjectName("repair_record_work_done")
                self.work_edit.setReadOnly(True)
                self.work_edit.setFixedHeight(80)
                form.addRow(self.tr("Work done:"), self.work_edit)
        self.parts_table = QTableWidget(0, 5, self)
        self.parts_table.setObjectName("repair_record_parts")
        self.parts_table.setHorizontalHeaderLabels([
            self.tr("Part"), self.tr("Quantity"), self.tr("Unit price"), self.tr("Amount"),
            self.tr("Unit cost")])
        self.parts_table.verticalHeader().hide()
        self.parts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.parts_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.parts_table.setFixedHeight(110)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("repair_record_status")
        self.status_label.setWordWrap(True)

        self.confirm_bar = ConfirmBar(ctx, RecordKind.REPAIR, self)
        self.confirm_bar.decided.connect(self._on_decided)
        self.buttons = QDialogButtonBox(self)
        self.ticket_button = QPushButton(self.tr("Open ticket"), self)
        self.ticket_button.setObjectName("repair_record_open_ticket")
        self.ticket_button.setAutoDefault(False)
        self.ticket_button.setEnabled(False)
        self.ticket_button.clicked.connect(self.open_ticket)
        self.buttons.addButton(self.ticket_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.header_label)
        layout.addLayout(form)
        layout.addWidget(QLabel(self.tr("Parts used:"), self))
        layout.addWidget(self.parts_table)
        layout.addWidget(self.status_label)
        layout.addWidget(self.confirm_bar)
        layout.addWidget(self.buttons)
        self.resize(600, 720)
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        self.status_label.setText(self.tr("Loading…"))
        actor, record_id = self._ctx.actor, self.record_id
        self._ctx.run(lambda uow: get_repair_record(uow=uow, actor=actor, record_id=record_id),
                      on_done=self._fill, on_error=self._failed, owner=self)

    def _fill(self, d: RepairRecordDetail) -> None:
        self.detail = d
        self.setWindowTitle(self.tr("Repair record {number}").format(number=d.ticket_number))
        device = f" · {d.device_label}" if d.device_label else ""
        self.header_label.setText(
            f"<b>{_esc(d.ticket_number)}</b> · {_esc(d.customer_name)}{_esc(device)}<br>"
            + self.tr("Symptoms: {text}").format(text=_esc(d.symptoms)))
        v = self.values
        v["technician"].setText(d.technician_name)
        v["completed"].setText(format_local_datetime(d.completed_at) if d.completed_at else "—")
        self.work_edit.setPlainText(d.work_done)
        v["job"].setText(self.tr("{job}, difficulty {level}").format(
            job=job_type_label(d.job_type), level=d.difficulty))
        v["cause"].setText(d.cause or "—")
        v["result"].setText(d.result or "—")
        hours, minutes = divmod(d.labour_minutes, 60)
        v["time"].setText(self.tr("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
                          if hours else self.tr("{minutes} min").format(minutes=minutes))
        v["labour"].setText(format_yuan(d.labour_amount))
        v["parts_amount"].setText(format_yuan(d.parts_amount))
        v["charge"].setText(format_yuan(d.charge))
        v["parts_cost"].setText(format_yuan(d.parts_cost) if d.parts_cost is not None else "")
        self._form.setRowVisible(v["parts_cost"], not d.cost_hidden)
        rating = "—" if d.customer_rating is None else f"{d.customer_rating} / 5"
        if d.on_time is not None:
            rating += " · " + (self.tr("on time") if d.on_time else self.tr("late"))
        v["rating"].setText(rating)
        v["score"].setText(f"{d.service_score}")
        state = record_labels.state_label("repair", d.status.value)
        if d.status in (ConfirmStatus.CONFIRMED, ConfirmStatus.RETURNED) and d.decided_at:
            state = self.tr("{state} — {who}, {when}").format(
                state=state, who=d.decided_by_name or "?",
                when=format_local_datetime(d.decided_at))
        v["state"].setText(state)
        v["state"].setStyleSheet(CONFIRMED_STYLE if d.status is ConfirmStatus.CONFIRMED
                                 else "")
        self._fill_parts(d)
        if d.status is ConfirmStatus.RETURNED:
            self.banner.setText(self.tr("Returned by {who} on {when}: {comment}").format(
                who=d.decided_by_name or "?",
                when=format_local_datetime(d.decided_at) if d.decided_at else "?",
                comment=d.return_comment or ""))
            self.banner.setStyleSheet(RETURNED_STYLE)
            self.banner.show()
        else:
            self.banner.hide()
        may_decide = (self.confirming and d.status is ConfirmStatus.SUBMITTED
                      and d.technician_id != self._ctx.actor.user_id
                      and self._ctx.can(Module.SERVICE_TICKETS, Operation.CONFIRM))
        self.confirm_bar.set_record(
            d.id if may_decide else None, d.version, author=d.technician_name,
            context=f"{d.ticket_number} · {d.customer_name}")
        self.ticket_button.setEnabled(True)
        self.status_label.setText("")
        if may_decide:
            self.confirm_bar.confirm_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_parts(self, d: RepairRecordDetail) -> None:
        table = self.parts_table
        table.setRowCount(len(d.parts))
        for row, part in enumerate(d.parts):
            cells = (part.description, f"{part.quantity.normalize():f}",
                     format_yuan(part.unit_price), format_yuan(part.amount),
                     format_yuan(part.unit_cost) if part.unit_cost is not None else "")
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                table.setItem(row, column, item)
        table.setColumnHidden(4, d.cost_hidden)
        if not d.parts:
            table.setRowCount(1)
            table.setSpan(0, 0, 1, 5)
            table.setItem(0, 0, QTableWidgetItem(self.tr("No parts used.")))

    def _failed(self, error: BaseException) -> None:
        self.status_label.setText(describe_error(error).text)
        self.status_label.setStyleSheet("color: #b00020;")

    def _on_decided(self, result: object) -> None:
        self.decided.emit(result)
        self.reload()

    # --- actions ---------------------------------------------------------------------------

    def open_ticket(self) -> QDialog | None:
        """The ticket the record belongs to (its history, payments, custom fields)."""
        if self.detail is None:
            return None
        from app.ui.service.ticket_dialog import open_ticket
        self.ticket_dialog = open_ticket(self._ctx, self.detail.ticket_id, self)
        return self.ticket_dialog


def _esc(text: str) -> str:
    return html.escape(text)


def open_repair_record(ctx: AppContext, record_id: int, parent: QWidget | None = None,
                       *, confirming: bool = False) -> RepairRecordDialog:
    """The record opener of kind "repair" (see :mod:`app.ui.shell.record_openers`)."""
    return keep_open(RepairRecordDialog(ctx, record_id, parent, confirming=confirming))


__all__ = ["RepairRecordDialog", "open_repair_record"]
