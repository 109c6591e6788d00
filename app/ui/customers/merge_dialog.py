"""客户合并: management merges two cards of one customer into the one that is kept.

Opened for a customer, the person finds the other card with the record chooser and says
which of the two is kept (the older one, the lower customer number, unless told
otherwise). Both cards are shown field by field, with a choice where they differ, and
what moves to the kept card is counted. Merge asks again in the dialog itself, then runs
on the database worker. The rules all live in :mod:`app.services.merging`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.customers import get_customer, search_customers
from app.services.errors import ConflictError, NotFound, ValidationError
from app.services.merging import (
    ABSORBED,
    KEEP,
    KIND_LABELS,
    MergeCard,
    MergeCount,
    MergeField,
    MergePreview,
    MergeResult,
    merge_customers,
    merge_preview,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.kit.busy import BusyDialog
from app.ui.kit.chooser import CHOICES, RecordChooser, Search
from app.ui.kit.fields import ERROR_COLOUR

COLUMN_FIELD, COLUMN_KEEP, COLUMN_ABSORBED = range(3)
SHOWN_CHARS = 200  # of a long value (notes) in a cell; "…" where the cell ends, the tooltip
SAME_COLOUR = "#666666"  # values both cards share: nothing to choose


def number_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """A customer number's place in the order numbers were issued (digit runs compared
    as numbers, so KH-20260101-10000 comes after KH-20260101-9999)."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.split(r"(\d+)", code) if part)


def older(card: MergeCard, than: MergeCard) -> bool:
    """Whether ``card`` is the older of the two: the lower customer number."""
    return (number_key(card.code), card.id) < (number_key(than.code), than.id)


def _cell_text(text: str) -> str:
    """One line, cut short: the cells are for comparing, the tooltip shows the rest."""
    line = " ".join(text.split())
    return line if len(line) <= SHOWN_CHARS else line[:SHOWN_CHARS - 1] + "…"


class ElidedRadio(QRadioButton):
    """A radio button whose one-line text ends in "…" where its cell does (a value of the
    card: the notes may be long). ``full_text`` keeps it whole."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self._indicator() + self.fontMetrics()
                         .horizontalAdvance("…") * 4), hint.height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide()

    def _indicator(self) -> int:
        style = self.style()
        return (style.pixelMetric(QStyle.PixelMetric.PM_ExclusiveIndicatorWidth, None, self)
                + style.pixelMetric(QStyle.PixelMetric.PM_RadioButtonLabelSpacing, None, self)
                + 4)

    def _elide(self) -> None:
        room = max(self.width() - self._indicator(), 0)
        shown = self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, room)
        # "&" would make a shortcut letter of what follows it.
        self.setText(shown.replace("&", "&&"))


def _counts_text(counts: Sequence[MergeCount]) -> str:
    """``Contacts 2 · Visits 1``: the kinds with records, in the preview's order (the
    result lists them in table order)."""
    order = {kind: place for place, kind in enumerate(KIND_LABELS)}
    shown = sorted((c for c in counts if c.count), key=lambda c: order.get(c.kind, len(order)))
    return " · ".join(f"{c.label} {c.count}" for c in shown)


class MergeDialog(BusyDialog):
    """Merge another card of the same customer into this one, or this one into it.

    Non-modal: open it with :func:`open_merge_dialog` (or ``show()``).

    Signals:
        merged(object): the :class:`MergeResult`, once the merge is committed.
    """

    merged = Signal(object)

    def __init__(self, ctx: AppContext, customer_id: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("merge_dialog")
        self.setWindowTitle(self.tr("Merge customers"))
        self.ctx = ctx
        self.customer_id = customer_id
        self.other_id: int | None = None
        self.preview: MergePreview | None = None
        self.merge_result: MergeResult | None = None
        self.armed = False  # Merge was pressed once: the next press merges
        self.busy = False  # the merge is running on the worker
        self._keep_decided = False  # the person chose which card stays
        self._picked: dict[str, int] = {}  # field → the card whose value the person chose
        self._groups: dict[str, QButtonGroup] = {}
        self._groups_owner = QObject(self)
        self._serial = 0

        self.intro = intro = QLabel(self.tr(
            "Two cards of one customer become one: everything recorded on the card that is "
            "absorbed moves to the card that is kept, and the absorbed card is deleted."), self)
        intro.setWordWrap(True)
        self.this_label = QLabel(self.tr("Loading…"), self)
        self.this_label.setObjectName("merge_this_card")
        self.this_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chooser = RecordChooser(
            ctx, self._other_cards(), name="merge_other", parent=self,
            placeholder=self.tr("Find the other card by name, pinyin or phone"),
            nothing_found=self.tr("No other customer found"))
        self.chooser.chosen.connect(self._on_other_chosen)
        # A new list of matches empties the drop-down, then chooses its first entry: the
        # card is taken once both have happened, and the same card again changes nothing.
        self._pending_other: int | None = None
        self._other_timer = QTimer(self)
        self._other_timer.setSingleShot(True)
        self._other_timer.setInterval(0)
        self._other_timer.timeout.connect(self._take_other)
        # Enter in the search box searches; it must not press Merge (the default button).
        self.chooser.search_edit.installEventFilter(self)
        self.keep_this = QRadioButton(self.tr("Keep this card"), self)
        self.keep_this.setObjectName("merge_keep_this")
        self.keep_other = QRadioButton(self.tr("Keep the other card"), self)
        self.keep_other.setObjectName("merge_keep_other")
        self.keep_group = QButtonGroup(self)
        for button in (self.keep_this, self.keep_other):
            self.keep_group.addButton(button)
        self.keep_group.buttonClicked.connect(self._on_keep_chosen)
        keep_hint = QLabel(self.tr("At first the older card (the lower customer number) is "
                                   "kept."), self)
        keep_hint.setStyleSheet(f"color: {SAME_COLOUR};")
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.keep_this)
        keep_row.addWidget(self.keep_other)
        keep_row.addStretch(1)
        keep_box = QVBoxLayout()
        keep_box.setSpacing(2)
        keep_box.addLayout(keep_row)
        keep_box.addWidget(keep_hint)

        self.pick_box = QWidget(self)
        form = QFormLayout(self.pick_box)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("This card:"), self.this_label)
        form.addRow(self.tr("Other card:"), self.chooser)
        form.addRow(self.tr("Card kept:"), keep_box)

        self.status = QLabel(self)
        self.status.setObjectName("merge_status")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("merge_fields")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COLUMN_FIELD, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COLUMN_KEEP, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMN_ABSORBED, QHeaderView.ResizeMode.Stretch)
        self._set_headers(None)
        self.moves_title = QLabel(self.tr("These records move to the kept card:"), self)
        self.moves_label = QLabel(self)
        self.moves_label.setObjectName("merge_moves")
        self.moves_label.setWordWrap(True)
        self.conflicts_label = self._red_label("merge_conflicts")
        self.warning_label = self._red_label("merge_warning")
        self.result_label = QLabel(self)
        self.result_label.setObjectName("merge_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.result_label.hide()

        self.merge_button = QPushButton(self.tr("Merge"), self)
        self.merge_button.setObjectName("merge_button")
        self.merge_button.setDefault(True)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("merge_close")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.pick_box)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.moves_title)
        layout.addWidget(self.moves_label)
        layout.addWidget(self.conflicts_label)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.result_label, 1)
        layout.addLayout(buttons)
        self.resize(760, 580)
        self.setFocusProxy(self.chooser)

        self._show_empty()
        actor = ctx.actor
        ctx.run(lambda uow: get_customer(uow=uow, actor=actor, customer_id=customer_id),
                on_done=lambda card: self.this_label.setText(f"{card.code}  {card.name}"),
                on_error=self._this_card_failed, owner=self)

    # --- building ------------------------------------------------------------------------

    def _red_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {ERROR_COLOUR};")
        label.hide()
        return label

    def _other_cards(self) -> Search:
        """The chooser's search: customers as the list finds them, this card left out."""
        actor, this = self.ctx.actor, self.customer_id

        def find(uow: UnitOfWork, text: str) -> list[tuple[int, str]]:
            page = search_customers(uow=uow, actor=actor, text=text, limit=CHOICES + 1)
            return [(row.id, f"{row.name}  ({row.code})") for row in page.rows
                    if row.id != this and not row.restricted][:CHOICES]

        return find

    def _set_headers(self, preview: MergePreview | None) -> None:
        if preview is None:
            kept, absorbed = self.tr("Kept card"), self.tr("Absorbed card")
        else:
            kept = self.tr("Kept: {code}").format(code=preview.keep.code)
            absorbed = self.tr("Absorbed: {code}").format(code=preview.absorbed.code)
        self.table.setHorizontalHeaderLabels([self.tr("Field"), kept, absorbed])

    # --- the other card and which one stays ------------------------------------------------

    def _on_other_chosen(self, other_id: object) -> None:
        self._pending_other = other_id if isinstance(other_id, int) else None
        self._other_timer.start()

    def _take_other(self) -> None:
        other_id = self._pending_other
        if other_id == self.other_id and self.preview is not None:
            return  # searched again and found the same card: the choices made stay
        self.other_id = other_id
        self._keep_decided = False
        self._picked.clear()
        self.load_preview()

    def _on_keep_chosen(self, _button: QRadioButton) -> None:
        self._keep_decided = True
        preview = self.preview
        if preview is not None and self.keep_this.isChecked() == (
                preview.keep.id == self.customer_id):
            return  # the card already kept
        self.load_preview()

    def choose_keep_other(self, keep_other: bool) -> None:
        """Keep the other card (True) or this one (False), as the radio buttons do."""
        (self.keep_other if keep_other else self.keep_this).click()

    def load_preview(self, *, message: str = "") -> None:
        """Read both cards side by side for the chosen pair (on the worker); ``message``
        stays shown (in red) while it loads and after."""
        self._disarm()
        self.preview = None
        self._serial += 1
        serial = self._serial
        other = self.other_id
        self._show_status(message, error=bool(message))
        if other is None:
            self._show_empty()
            return
        if not message:
            self._show_status(self.tr("Loading both cards…"))
        self._update_merge_button()
        actor, this = self.ctx.actor, self.customer_id
        decided, keep_this = self._keep_decided, self.keep_this.isChecked()

        def load(uow: UnitOfWork) -> MergePreview:
            if decided:
                keep, absorb = (this, other) if keep_this else (other, this)
                return merge_preview(uow=uow, actor=actor, keep_id=keep, absorb_id=absorb)
            preview = merge_preview(uow=uow, actor=actor, keep_id=this, absorb_id=other)
            if older(preview.absorbed, preview.keep):
                preview = merge_preview(uow=uow, actor=actor, keep_id=other, absorb_id=this)
            return preview

        self.ctx.run(load, on_done=lambda p: self._show_preview(serial, p, message),
                     on_error=lambda e: self._preview_failed(serial, e), owner=self)

    def _show_empty(self) -> None:
        self.table.setRowCount(0)
        self._set_headers(None)
        # Which card stays is not decided before the other one is known.
        self.keep_group.setExclusive(False)
        for button in (self.keep_this, self.keep_other):
            button.setChecked(False)
            button.setEnabled(False)
        self.keep_group.setExclusive(True)
        self.moves_title.hide()
        self.moves_label.hide()
        self.conflicts_label.hide()
        if not self.status.text():
            self._show_status(self.tr("Find the other card of this customer above."))
        self._update_merge_button()

    def _show_preview(self, serial: int, preview: MergePreview, message: str) -> None:
        if serial != self._serial:
            return  # another card or the other side was chosen meanwhile
        self.preview = preview
        for button in (self.keep_this, self.keep_other):
            button.setEnabled(True)
        self.keep_group.blockSignals(True)
        (self.keep_this if preview.keep.id == self.customer_id
         else self.keep_other).setChecked(True)
        self.keep_group.blockSignals(False)
        self._show_status(message, error=bool(message))
        self._fill_fields(preview)
        self.moves_title.show()
        self.moves_label.setText(_counts_text(preview.moves))
        self.moves_label.show()
        if preview.conflicts:
            self.conflicts_label.setText("\n".join(
                (self.tr("Cannot merge yet:"), *preview.conflicts)))
        self.conflicts_label.setVisible(bool(preview.conflicts))
        self._update_merge_button()

    def _preview_failed(self, serial: int, error: BaseException) -> None:
        if serial != self._serial:
            return
        self.table.setRowCount(0)
        self.moves_title.hide()
        self.moves_label.hide()
        self.conflicts_label.hide()
        self._show_status(describe_error(error).text, error=True)
        self._update_merge_button()

    def _this_card_failed(self, error: BaseException) -> None:
        self.this_label.setText(f"#{self.customer_id}")
        self._show_status(describe_error(error).text, error=True)

    # --- the fields -------------------------------------------------------------------------

    def _fill_fields(self, preview: MergePreview) -> None:
        self._set_headers(preview)
        self._groups_owner.deleteLater()
        self._groups_owner = QObject(self)
        self._groups = {}
        # Empty on both cards: nothing to compare, nothing to choose.
        shown = [f for f in preview.fields if f.keep_text.strip() or f.absorbed_text.strip()]
        self.table.setRowCount(0)
        self.table.setRowCount(len(shown))
        for row, merge_field in enumerate(shown):
            self.table.setItem(row, COLUMN_FIELD, QTableWidgetItem(merge_field.label))
            if merge_field.differs:
                self._add_choice(row, merge_field, preview)
            else:
                for column, text in ((COLUMN_KEEP, merge_field.keep_text),
                                     (COLUMN_ABSORBED, merge_field.absorbed_text)):
                    item = QTableWidgetItem(_cell_text(text))
                    item.setToolTip(text)
                    item.setForeground(QColor(SAME_COLOUR))
                    self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()

    def _add_choice(self, row: int, merge_field: MergeField, preview: MergePreview) -> None:
        group = QButtonGroup(self._groups_owner)
        picked = self._picked.get(merge_field.name)
        side = merge_field.default if picked is None else (
            KEEP if picked == preview.keep.id else ABSORBED)
        for column, which, text in ((COLUMN_KEEP, KEEP, merge_field.keep_text),
                                    (COLUMN_ABSORBED, ABSORBED, merge_field.absorbed_text)):
            cell = QWidget(self.table)
            radio = ElidedRadio(_cell_text(text) if text.strip() else self.tr("(empty)"),
                                cell)
            radio.setObjectName(f"merge_take_{which}_{merge_field.name}")
            radio.setToolTip(text)
            radio.setChecked(which == side)
            group.addButton(radio)
            box = QHBoxLayout(cell)
            box.setContentsMargins(6, 0, 6, 0)
            box.addWidget(radio)
            self.table.setCellWidget(row, column, cell)
        group.buttonClicked.connect(lambda _b, name=merge_field.name: self._on_take(name))
        self._groups[merge_field.name] = group

    def _on_take(self, name: str) -> None:
        preview = self.preview
        if preview is None:
            return
        side = self.take().get(name)
        self._picked[name] = preview.keep.id if side == KEEP else preview.absorbed.id
        self._disarm()

    def take_radio(self, name: str, side: str) -> QRadioButton | None:
        """The radio button taking field ``name``'s value from ``side`` (KEEP or ABSORBED);
        None for a field without a choice."""
        group = self._groups.get(name)
        if group is None:
            return None
        wanted = f"merge_take_{side}_{name}"
        return next((b for b in group.buttons() if b.objectName() == wanted), None)

    def take(self) -> dict[str, str]:
        """For each field that differs, whose value the kept card will have."""
        chosen: dict[str, str] = {}
        for name, group in self._groups.items():
            button = group.checkedButton()
            if button is not None:
                chosen[name] = ABSORBED if button.objectName().startswith(
                    f"merge_take_{ABSORBED}_") else KEEP
        return chosen

    # --- merging ----------------------------------------------------------------------------

    def _update_merge_button(self) -> None:
        preview = self.preview
        ready = (preview is not None and not preview.conflicts and not self.busy
                 and self.merge_result is None)
        self.merge_button.setEnabled(ready)
        self.merge_button.setToolTip(
            self.tr("Two sales plans clash: see the reason in red.")
            if preview is not None and preview.conflicts else "")

    def _disarm(self) -> None:
        self.armed = False
        self.merge_button.setText(self.tr("Merge"))
        self.warning_label.hide()

    def _on_merge_clicked(self) -> None:
        preview = self.preview
        if preview is None or preview.conflicts or self.busy or self.merge_result is not None:
            return
        if not self.armed:
            self.armed = True
            self.merge_button.setText(self.tr("Confirm merge"))
            self.warning_label.setText(self.tr(
                "{code} {name} will be deleted; its number will find {kept_code} "
                "{kept_name}. This cannot be undone.").format(
                code=preview.absorbed.code, name=preview.absorbed.name,
                kept_code=preview.keep.code, kept_name=preview.keep.name))
            self.warning_label.show()
            return
        self._merge(preview)

    def _merge(self, preview: MergePreview) -> None:
        self.busy = True
        self.armed = False
        self._set_inputs_enabled(False)
        self._update_merge_button()
        self._show_status(self.tr("Merging…"))
        actor, take = self.ctx.actor, self.take()
        keep, absorbed = preview.keep, preview.absorbed
        self.ctx.run(lambda uow: merge_customers(
            uow=uow, actor=actor, keep_id=keep.id, absorb_id=absorbed.id,
            keep_version=keep.version, absorb_version=absorbed.version, take=take),
            on_done=self._merged, on_error=self._merge_failed, owner=self)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (self.pick_box, self.table, self.close_button):
            widget.setEnabled(enabled)

    def _merged(self, result: MergeResult) -> None:
        self.busy = False
        self.merge_result = result
        preview = self.preview
        name = preview.keep.name if preview is not None else ""
        self._set_inputs_enabled(True)
        for widget in (self.intro, self.pick_box, self.table, self.moves_title,
                       self.moves_label, self.warning_label, self.merge_button, self.status):
            widget.hide()
        self.result_label.setText("\n\n".join((
            self.tr("{code} is merged into {kept_code} {kept_name}; its number now finds "
                    "that card.").format(code=result.absorbed_code,
                                         kept_code=result.keep_code, kept_name=name),
            self.tr("Moved to the kept card: {counts}").format(
                counts=_counts_text(result.moved)))))
        self.result_label.show()
        self.close_button.setDefault(True)
        self.close_button.setFocus()
        self.ctx.changes.publish("customer", result.keep_id)
        self.ctx.changes.publish("customer", result.absorbed_id)
        self.merged.emit(result)

    def _merge_failed(self, error: BaseException) -> None:
        self.busy = False
        self._set_inputs_enabled(True)
        text = describe_error(error).text
        if isinstance(error, ConflictError | ValidationError | NotFound):
            # A card saved or a plan added meanwhile: show both cards as they are now.
            self.load_preview(message=text)
        else:
            self._disarm()
            self._show_status(text, error=True)
            self._update_merge_button()

    # --- status and closing -------------------------------------------------------------------

    def _show_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")
        self.status.setVisible(bool(text))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Enter in the chooser's search box searches now instead of pressing Merge."""
        if (watched is self.chooser.search_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self.chooser.search()
            return True
        return super().eventFilter(watched, event)



def open_merge_dialog(ctx: AppContext, customer_id: int,
                      parent: QWidget | None = None) -> MergeDialog:
    """Create and show the dialog for ``customer_id`` (non-modal, as every dialog of the
    program)."""
    dialog = MergeDialog(ctx, customer_id, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog


__all__ = ["ElidedRadio", "MergeDialog", "number_key", "older", "open_merge_dialog"]
