"""客户移交: the wizard management uses when someone leaves.

Steps: pick the leaving user → see everything they are responsible for (counts per kind)
→ choose the plan (all to one user / evenly among checked users / each customer class to
a user) → confirm the totals (and whether to deactivate the account, on by default) →
the hand-over runs on the database worker, in one transaction, and the result shows who
received what. All the rules live in :mod:`app.services.reassignment`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QRadioButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.models.enums import CustomerClass
from app.services.reassignment import (
    CUSTOMERS,
    AllToOne,
    ByClass,
    Evenly,
    HandOverResult,
    Holdings,
    Person,
    Plan,
    hand_over,
    list_people,
    preview_holdings,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.kit.fields import fixed_table, show_as_error
from app.ui.labels import customer_class_label

PAGE_PICK, PAGE_PREVIEW, PAGE_PLAN, PAGE_CONFIRM, PAGE_RESULT = range(5)


def _cell(text: str, *, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class ReassignWizard(QWizard):
    """Hand a leaving user's customers and open work over to colleagues.

    Signals:
        handed_over(object): the :class:`HandOverResult`, once the transaction committed.
    """

    handed_over = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reassign_wizard")
        self.setWindowTitle(self.tr("Customer reassignment"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.ctx = ctx
        self.people: tuple[Person, ...] = ()
        self.people_loaded = False
        self.holdings: Holdings | None = None
        self.hand_over_result: HandOverResult | None = None
        self.pick_page = PickPage(self)
        self.preview_page = PreviewPage(self)
        self.plan_page = PlanPage(self)
        self.confirm_page = ConfirmPage(self)
        self.result_page = ResultPage(self)
        for number, page in enumerate((self.pick_page, self.preview_page, self.plan_page,
                                       self.confirm_page, self.result_page)):
            self.setPage(number, page)
        self.resize(760, 540)
        # Qt's own (translated) "Next >", put back after the confirm page renames it.
        self.next_text = self.buttonText(QWizard.WizardButton.NextButton)
        actor = ctx.actor
        ctx.run(lambda uow: list_people(uow=uow, actor=actor), on_done=self._people_loaded,
                on_error=self.pick_page.show_error, owner=self)

    def _people_loaded(self, people: tuple[Person, ...]) -> None:
        self.people = people
        self.people_loaded = True
        self.pick_page.fill(people)

    def role_name(self, person: Person) -> str:
        return person.role_name_zh if self.ctx.language.startswith("zh") else person.role_name_en

    def person_text(self, person: Person) -> str:
        text = f"{person.display_name}（{self.role_name(person)}）"
        if not person.active:
            text += " — " + self.tr("deactivated")
        return text

    def leaving(self) -> Person | None:
        return self.pick_page.chosen()

    def receiving_people(self) -> list[Person]:
        """Active users other than the leaving one, colleagues in the same role first."""
        leaving = self.leaving()
        people = [p for p in self.people if p.active and p.can_receive
                  and (leaving is None or p.id != leaving.id)]
        if leaving is not None:
            people.sort(key=lambda p: p.role_code != leaving.role_code)  # stable: names kept
        return people

    def name_of(self, user_id: int) -> str:
        return next((p.display_name for p in self.people if p.id == user_id), str(user_id))


class _Page(QWizardPage):
    def wiz(self) -> ReassignWizard:
        wizard = self.wizard()
        assert isinstance(wizard, ReassignWizard)
        return wizard

    def _status_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        return label

    @staticmethod
    def _error_palette(label: QLabel, error: bool) -> None:
        show_as_error(label, error)


class PickPage(_Page):
    """Step 1: who is leaving."""

    def __init__(self, wizard: ReassignWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Who is leaving?"))
        self.setSubTitle(self.tr("Choose the user whose customers and open work are to be "
                                 "handed over."))
        self.user_combo = QComboBox(self)
        self.user_combo.setObjectName("reassign_user")
        self.user_combo.setMinimumContentsLength(16)
        self.user_combo.setPlaceholderText(self.tr("Choose a user"))
        self.user_combo.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.status = self._status_label()
        self.status.setText(self.tr("Loading…"))
        steps = QLabel(self.tr(
            "Next you will see everything this user is responsible for, choose who takes it "
            "over (one user, several users evenly, or by customer class) and confirm. "
            "Everything moves in one step; nothing stays with the leaving user."), self)
        steps.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Leaving user:"), self.user_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addSpacing(12)
        layout.addWidget(steps)
        layout.addStretch(1)

    def fill(self, people: tuple[Person, ...]) -> None:
        wizard = self.wiz()
        self.user_combo.clear()
        for person in people:
            if person.id != wizard.ctx.actor.user_id:  # nobody hands themselves over
                self.user_combo.addItem(wizard.person_text(person), person.id)
        self.user_combo.setCurrentIndex(-1)
        self.status.setText("")
        self.completeChanged.emit()

    def show_error(self, error: BaseException) -> None:
        self.status.setText(describe_error(error).text)
        self._error_palette(self.status, True)

    def choose(self, user_id: int) -> bool:
        index = self.user_combo.findData(user_id)
        if index >= 0:
            self.user_combo.setCurrentIndex(index)
        return index >= 0

    def chosen(self) -> Person | None:
        user_id = self.user_combo.currentData()
        return next((p for p in self.wiz().people if p.id == user_id), None)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.chosen() is not None


class PreviewPage(_Page):
    """Step 2: everything the user is responsible for, counted per kind."""

    def __init__(self, wizard: ReassignWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("What they are responsible for"))
        self.loaded = False
        self.summary = self._status_label()
        self.summary.setObjectName("reassign_preview_summary")
        self.table = fixed_table(self, [self.tr("Kind"), self.tr("Count"), self.tr("For example")],
                            "reassign_preview_table")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self.wiz()
        person = wizard.leaving()
        assert person is not None
        self.setSubTitle(self.tr("Records {name} owns or is assigned now. Closed records "
                                 "stay theirs as history.").format(name=person.display_name))
        self.loaded = False
        wizard.holdings = None
        self.table.setRowCount(0)
        self.summary.setText(self.tr("Loading…"))
        self._error_palette(self.summary, False)
        actor, user_id = wizard.ctx.actor, person.id
        wizard.ctx.run(lambda uow: preview_holdings(uow=uow, actor=actor, user_id=user_id),
                       on_done=self._fill, on_error=self._failed, owner=self)
        self.completeChanged.emit()

    def _fill(self, holdings: Holdings) -> None:
        wizard = self.wiz()
        wizard.holdings = holdings
        self.table.setRowCount(len(holdings.groups))
        for row, group in enumerate(holdings.groups):
            examples = "、".join(
                (i.customer_name or i.reference) if group.kind == CUSTOMERS
                else (f"{i.reference} {i.customer_name}" if i.customer_name else i.reference)
                for i in group.items[:3])
            if group.count > 3:
                examples += " …"
            self.table.setItem(row, 0, _cell(group.label))
            self.table.setItem(row, 1, _cell(str(group.count), number=True))
            self.table.setItem(row, 2, _cell(examples))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        if holdings.total:
            self.summary.setText(self.tr("{name} is responsible for {count} records.").format(
                name=holdings.display_name, count=holdings.total))
        else:
            self.summary.setText(self.tr("{name} is responsible for nothing: the account can "
                                         "be deactivated straight away.").format(
                name=holdings.display_name))
        self.loaded = True
        self.completeChanged.emit()

    def _failed(self, error: BaseException) -> None:
        self.summary.setText(describe_error(error).text)
        self._error_palette(self.summary, True)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.loaded


class PlanPage(_Page):
    """Step 3: to whom."""

    def __init__(self, wizard: ReassignWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Hand over to whom?"))
        self.setSubTitle(self.tr("Each customer's open records go with the customer to its "
                                 "new owner."))
        self.one_radio = QRadioButton(self.tr("All to one user"), self)
        self.one_radio.setObjectName("reassign_plan_one")
        self.even_radio = QRadioButton(self.tr("Evenly among the checked users"), self)
        self.even_radio.setObjectName("reassign_plan_even")
        self.class_radio = QRadioButton(self.tr("By customer class"), self)
        self.class_radio.setObjectName("reassign_plan_class")
        self.group = QButtonGroup(self)
        for button in (self.one_radio, self.even_radio, self.class_radio):
            self.group.addButton(button)
            button.toggled.connect(self._mode_changed)
        self.one_combo = QComboBox(self)
        self.one_combo.setObjectName("reassign_one_user")
        self.one_combo.setMinimumContentsLength(16)
        self.one_combo.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.even_list = QListWidget(self)
        self.even_list.setObjectName("reassign_even_users")
        self.even_list.itemChanged.connect(lambda _i: self.completeChanged.emit())
        self.class_box = QWidget(self)
        self.class_form = QFormLayout(self.class_box)
        self.class_form.setContentsMargins(24, 0, 0, 0)
        self.class_combos: dict[CustomerClass, QComboBox] = {}
        self.no_class_label = QLabel(self.tr("No customers: nothing to split by class."), self)

        one_row = QHBoxLayout()
        one_row.setContentsMargins(24, 0, 0, 0)
        one_row.addWidget(self.one_combo)
        one_row.addStretch(1)
        even_row = QHBoxLayout()
        even_row.setContentsMargins(24, 0, 0, 0)
        even_row.addWidget(self.even_list)
        layout = QVBoxLayout(self)
        layout.addWidget(self.one_radio)
        layout.addLayout(one_row)
        layout.addWidget(self.even_radio)
        layout.addLayout(even_row, 1)
        layout.addWidget(self.class_radio)
        layout.addWidget(self.class_box)
        layout.addWidget(self.no_class_label)
        self.one_radio.setChecked(True)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self.wiz()
        receivers = wizard.receiving_people()
        self.one_combo.clear()
        self.even_list.clear()
        for person in receivers:
            self.one_combo.addItem(wizard.person_text(person), person.id)
            item = QListWidgetItem(wizard.person_text(person), self.even_list)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.one_combo.setCurrentIndex(-1)
        self.one_combo.setPlaceholderText(self.tr("Choose a user"))
        while self.class_form.rowCount():
            self.class_form.removeRow(0)
        self.class_combos = {}
        holdings = wizard.holdings
        classes = holdings.classes if holdings is not None else ()
        for klass, count in classes:
            combo = QComboBox(self.class_box)
            combo.setObjectName(f"reassign_class_{klass.value}")
            combo.setMinimumContentsLength(16)
            combo.setPlaceholderText(self.tr("Choose a user"))
            for person in receivers:
                combo.addItem(wizard.person_text(person), person.id)
            combo.setCurrentIndex(-1)
            combo.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
            self.class_combos[klass] = combo
            self.class_form.addRow(
                self.tr("{klass} ({count} customers):").format(
                    klass=customer_class_label(klass), count=count), combo)
        self.class_radio.setEnabled(bool(classes))
        self.no_class_label.setVisible(not classes)
        if not classes and self.class_radio.isChecked():
            self.one_radio.setChecked(True)
        self._mode_changed()

    def _mode_changed(self, _checked: bool = False) -> None:
        self.one_combo.setEnabled(self.one_radio.isChecked())
        self.even_list.setEnabled(self.even_radio.isChecked())
        self.class_box.setEnabled(self.class_radio.isChecked())
        self.completeChanged.emit()

    # for people and tests alike
    def check_users(self, user_ids: list[int]) -> None:
        self.even_radio.setChecked(True)
        for row in range(self.even_list.count()):
            item = self.even_list.item(row)
            state = (Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in user_ids
                     else Qt.CheckState.Unchecked)
            item.setCheckState(state)

    def checked_users(self) -> tuple[int, ...]:
        return tuple(
            int(self.even_list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.even_list.count())
            if self.even_list.item(row).checkState() == Qt.CheckState.Checked)

    def plan(self) -> Plan | None:
        if self.one_radio.isChecked():
            user_id = self.one_combo.currentData()
            return AllToOne(int(user_id)) if user_id is not None else None
        if self.even_radio.isChecked():
            users = self.checked_users()
            return Evenly(users) if users else None
        chosen = {k: c.currentData() for k, c in self.class_combos.items()}
        if not chosen or any(v is None for v in chosen.values()):
            return None
        return ByClass({k: int(v) for k, v in chosen.items()})

    def describe(self, plan: Plan) -> str:
        wizard = self.wiz()
        if isinstance(plan, AllToOne):
            return self.tr("All to {name}").format(name=wizard.name_of(plan.user_id))
        if isinstance(plan, Evenly):
            return self.tr("Evenly among {names}").format(
                names="、".join(wizard.name_of(u) for u in plan.user_ids))
        return self.tr("By customer class: {pairs}").format(pairs="；".join(
            f"{customer_class_label(k)} → {wizard.name_of(u)}" for k, u in plan.users.items()))

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.plan() is not None


class ConfirmPage(_Page):
    """Step 4: the totals, the plan, and whether to deactivate the account."""

    def __init__(self, wizard: ReassignWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Confirm the hand-over"))
        self.setSubTitle(self.tr("Check the totals, then press Hand over."))
        self.summary = self._status_label()
        self.summary.setObjectName("reassign_confirm_summary")
        self.plan_label = self._status_label()
        self.plan_label.setObjectName("reassign_confirm_plan")
        self.table = fixed_table(self, [self.tr("Kind"), self.tr("Count")],
                                 "reassign_confirm_table")
        self.deactivate_check = QCheckBox(self.tr("Deactivate the user afterwards"), self)
        self.deactivate_check.setObjectName("reassign_deactivate")
        self.deactivate_check.setChecked(True)
        note = QLabel(self.tr("Everything moves in one transaction; each record keeps its "
                              "previous owner in the audit log."), self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.deactivate_check)
        layout.addWidget(note)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self.wiz()
        holdings = wizard.holdings
        plan = wizard.plan_page.plan()
        assert holdings is not None and plan is not None
        self.summary.setText(self.tr("Hand over {count} records of {name}.").format(
            count=holdings.total, name=holdings.display_name))
        self.plan_label.setText(wizard.plan_page.describe(plan))
        groups = [g for g in holdings.groups if g.count]
        self.table.setRowCount(len(groups) + 1)
        for row, group in enumerate(groups):
            self.table.setItem(row, 0, _cell(group.label))
            self.table.setItem(row, 1, _cell(str(group.count), number=True))
        total = _cell(self.tr("Total"))
        font = total.font()
        font.setBold(True)
        total.setFont(font)
        count = _cell(str(holdings.total), number=True)
        count.setFont(font)
        self.table.setItem(len(groups), 0, total)
        self.table.setItem(len(groups), 1, count)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.deactivate_check.setEnabled(holdings.active)
        if not holdings.active:
            self.deactivate_check.setChecked(False)
        wizard.setButtonText(QWizard.WizardButton.NextButton, self.tr("Hand over"))

    def cleanupPage(self) -> None:  # noqa: N802 (Qt override)
        self.wiz().setButtonText(QWizard.WizardButton.NextButton, self.wiz().next_text)


class ResultPage(_Page):
    """Step 5: runs the hand-over off the GUI thread and shows who received what."""

    def __init__(self, wizard: ReassignWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Hand-over"))
        self.setSubTitle(self.tr("Who received what."))
        self.done = False
        self.failed = False
        self.progress = QProgressBar(self)
        self.progress.setObjectName("reassign_progress")
        self.status = self._status_label()
        self.status.setObjectName("reassign_result_status")
        self.table = fixed_table(self, [self.tr("Received by"), self.tr("Customers"),
                                   self.tr("Records")], "reassign_result_table")
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self.wiz()
        wizard.setButtonText(QWizard.WizardButton.NextButton, wizard.next_text)
        holdings = wizard.holdings
        plan = wizard.plan_page.plan()
        assert holdings is not None and plan is not None
        deactivate = wizard.confirm_page.deactivate_check.isChecked()
        self.done = self.failed = False
        self.table.setRowCount(0)
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)  # busy: one transaction, no steps to count
        self.status.setText(self.tr("Handing over…"))
        self._error_palette(self.status, False)
        actor = wizard.ctx.actor
        user_id, version = holdings.user_id, holdings.version

        def work(uow: object) -> HandOverResult:
            return hand_over(uow=uow, actor=actor, from_user_id=user_id,  # type: ignore[arg-type]
                             plan=plan, deactivate=deactivate, expected_version=version)

        wizard.ctx.run(work, on_done=self._finished, on_error=self._failed, owner=self)
        self.completeChanged.emit()

    def _finished(self, result: HandOverResult) -> None:
        wizard = self.wiz()
        wizard.hand_over_result = result
        self.done = True
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        name = wizard.holdings.display_name if wizard.holdings else ""
        text = self.tr("{count} records of {name} handed over.").format(
            count=result.total, name=name)
        if result.deactivated:
            more = self.tr("The account is deactivated.")
            text += more if text.endswith("。") else " " + more
        self.status.setText(text)
        self.table.setRowCount(len(result.receivers))
        for row, receiver in enumerate(result.receivers):
            self.table.setItem(row, 0, _cell(receiver.display_name))
            self.table.setItem(row, 1, _cell(str(receiver.counts.get(CUSTOMERS, 0)),
                                             number=True))
            self.table.setItem(row, 2, _cell(str(receiver.total), number=True))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Done is done: no way back to run it twice.
        wizard.setButtonLayout([QWizard.WizardButton.Stretch,
                                QWizard.WizardButton.FinishButton])
        self.completeChanged.emit()
        wizard.handed_over.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.failed = True
        self.progress.setVisible(False)
        self.status.setText(describe_error(error).text + " "
                            + self.tr("Nothing was changed; go back to adjust the plan."))
        self._error_palette(self.status, True)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.done


def open_reassign_wizard(ctx: AppContext, parent: QWidget | None = None) -> ReassignWizard:
    """Create and show the wizard (non-modal, as every dialog of the program)."""
    wizard = ReassignWizard(ctx, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    wizard.show()
    return wizard


class ReassignPage(QWidget):
    """The "客户移交" tab: a short explanation and the wizard embedded as a page."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reassign_page")
        self._ctx = ctx
        self.wizard = self._new_wizard()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.wizard)

    def _new_wizard(self) -> ReassignWizard:
        wizard = ReassignWizard(self._ctx, self)
        wizard.setWindowFlags(Qt.WindowType.Widget)
        wizard.finished.connect(self._restart)
        return wizard

    def _restart(self, _result: int) -> None:
        """Finish or Cancel starts a fresh wizard in the tab."""
        old = self.wizard
        self.wizard = self._new_wizard()
        layout = self.layout()
        assert layout is not None
        layout.replaceWidget(old, self.wizard)
        old.deleteLater()
        self.wizard.show()

    def refresh(self) -> None:
        if self.wizard.currentId() in (-1, PAGE_PICK):
            self._restart(0)
