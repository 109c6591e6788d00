"""The company tab (公司信息): the name, address, payment details and logo every slip prints.

Only a role that may edit administration (the administrator) changes them; any other role
that sees the administration page reads them. Loading, checking a chosen logo file and
saving run on the database worker; a refused save marks each field and keeps what was
typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Module, Operation
from app.services.company import (
    KEEP_LOGO,
    MAX_LENGTHS,
    MAX_LOGO_BYTES,
    CompanyDraft,
    CompanyInfo,
    LogoChange,
    LogoFacts,
    get_company,
    read_logo,
    save_company,
)
from app.services.errors import ConflictError, ValidationError
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.fields import ERROR_COLOUR, clear_field_error, error_label, show_field_error

PREVIEW_WIDTH, PREVIEW_HEIGHT = 260, 104


@dataclass(frozen=True)
class ChosenLogo:
    """A logo file read and checked on the worker."""

    path: str
    image: bytes
    facts: LogoFacts


def read_logo_file(path: str) -> ChosenLogo:
    """Read and check a logo file (on the worker: the file may be on a network share)."""
    image, facts = read_logo(path)
    return ChosenLogo(path=path, image=image, facts=facts)


class CompanyTab(QWidget):
    """Edit the company settings.

    Signals:
        saved(CompanyInfo): the settings were saved.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("admin_company")
        self.info: CompanyInfo | None = None
        self.editable = ctx.can(Module.ADMINISTRATION, Operation.EDIT)
        self._busy = False
        # What the next save does with the logo: keep it, new bytes, or None (remove).
        self._logo_change: LogoChange = KEEP_LOGO
        self._fields: dict[str, tuple[QLabel, QWidget | None]] = {}
        self.logo_dialog: QFileDialog | None = None

        intro = QLabel(self.tr(
            "Printed in the header of every slip: quotations, sales slips, intake slips and "
            "dispatch orders. Changes apply to the next slip printed at any station."), self)
        intro.setObjectName("company_intro")
        intro.setWordWrap(True)

        self.name_edit = self._line("name", self.tr("e.g. 北京鑫锐办公设备有限公司"))
        self.address_edit = self._line("address", "")
        self.phone_edit = self._line("phone", self.tr("e.g. 010-6253 8888"))
        self.fax_edit = self._line("fax", "")
        self.bank_edit = self._line("bank", self.tr("e.g. 中国工商银行北京中关村支行"))
        self.bank_account_edit = self._line("bank_account", self.tr("digits, spaces allowed"))
        self.tax_number_edit = self._line(
            "tax_number", self.tr("unified social credit code, 18 characters"))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for label, field, edit in (
                (self.tr("Company name *"), "name", self.name_edit),
                (self.tr("Address"), "address", self.address_edit),
                (self.tr("Phone"), "phone", self.phone_edit),
                (self.tr("Fax"), "fax", self.fax_edit),
                (self.tr("Bank"), "bank", self.bank_edit),
                (self.tr("Bank account"), "bank_account", self.bank_account_edit),
                (self.tr("Tax number"), "tax_number", self.tax_number_edit)):
            self.form.addRow(label, self._field_box(field, edit))
        details = QGroupBox(self.tr("Company details"), self)
        details.setObjectName("company_details")
        details.setLayout(self.form)

        # The logo: a preview, what it is, choose and remove.
        self.logo_preview = QLabel(self)
        self.logo_preview.setObjectName("company_logo_preview")
        self.logo_preview.setFixedSize(PREVIEW_WIDTH + 8, PREVIEW_HEIGHT + 8)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_info = QLabel(self)
        self.logo_info.setObjectName("company_logo_info")
        self.logo_info.setWordWrap(True)
        self.choose_logo_button = QPushButton(self.tr("Choose logo…"), self)
        self.choose_logo_button.setObjectName("choose_logo")
        self.choose_logo_button.clicked.connect(self.ask_logo_file)
        self.remove_logo_button = QPushButton(self.tr("Remove logo"), self)
        self.remove_logo_button.setObjectName("remove_logo")
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_hint = QLabel(self.tr(
            "PNG or JPEG, at most {size} KB. Printed left of the company name, as high as "
            "the header.").format(size=MAX_LOGO_BYTES // 1024), self)
        logo_hint.setObjectName("company_logo_hint")
        logo_hint.setWordWrap(True)
        logo_hint.setStyleSheet("color: #555555;")
        logo_buttons = QHBoxLayout()
        logo_buttons.addWidget(self.choose_logo_button)
        logo_buttons.addWidget(self.remove_logo_button)
        logo_buttons.addStretch(1)
        logo_box = QGroupBox(self.tr("Logo"), self)
        logo_box.setObjectName("company_logo_box")
        logo_layout = QVBoxLayout(logo_box)
        logo_layout.addWidget(self.logo_preview)
        logo_layout.addWidget(self.logo_info)
        logo_layout.addLayout(logo_buttons)
        logo_layout.addWidget(self._error_only("logo"))
        logo_layout.addWidget(logo_hint)
        logo_layout.addStretch(1)
        logo_box.setFixedWidth(PREVIEW_WIDTH + 40)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("company_status")
        self.status_label.setWordWrap(True)
        self.reload_button = QPushButton(self.tr("Reload"), self)
        self.reload_button.setObjectName("reload_company")
        self.reload_button.setToolTip("F5")
        self.reload_button.clicked.connect(self.refresh)
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_company")
        self.save_button.setToolTip(QKeySequence(QKeySequence.StandardKey.Save).toString(
            QKeySequence.SequenceFormat.NativeText))
        self.save_button.clicked.connect(self.save)
        # Only while the focus is in this tab: other pages of the window have their own.
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

        # Fields as wide as an address needs, not as wide as the window.
        details.setMaximumWidth(760)
        columns = QHBoxLayout()
        columns.addWidget(details, 1)
        columns.addWidget(logo_box)
        columns.addStretch(0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(columns)
        layout.addStretch(1)
        layout.addLayout(buttons)

        for edit in self._edits():
            edit.setReadOnly(not self.editable)
        for button in (self.save_button, self.choose_logo_button, self.remove_logo_button):
            button.setVisible(self.editable)
        self._show_logo(None)
        self._update_actions()

    # --- building ----------------------------------------------------------------------------

    def _line(self, field: str, placeholder: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(f"company_{field}")
        edit.setMaxLength(MAX_LENGTHS[field] + 20)  # the service names what is too long
        edit.setPlaceholderText(placeholder)
        edit.textEdited.connect(lambda _text, f=field: self._clear_error(f))
        return edit

    def _field_box(self, field: str, widget: QWidget) -> QVBoxLayout:
        label = error_label(f"company_{field}", self)
        box = QVBoxLayout()
        box.setSpacing(2)
        box.addWidget(widget)
        box.addWidget(label)
        self._fields[field] = (label, widget)
        return box

    def _error_only(self, field: str) -> QLabel:
        label = error_label(f"company_{field}", self)
        self._fields[field] = (label, None)
        return label

    def _edits(self) -> tuple[QLineEdit, ...]:
        return (self.name_edit, self.address_edit, self.phone_edit, self.fax_edit,
                self.bank_edit, self.bank_account_edit, self.tax_number_edit)

    # --- state -------------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._busy

    @property
    def logo_pending(self) -> bool:
        """Whether a chosen or removed logo waits for Save."""
        return self._logo_change is not KEEP_LOGO

    def field_error(self, field: str) -> str:
        """The message shown at ``field`` ("" when none)."""
        label = self._fields.get(field, (None, None))[0]
        return label.text() if label is not None and label.isVisible() else ""

    def _clear_error(self, field: str) -> None:
        if field in self._fields:
            clear_field_error(*self._fields[field])

    def _clear_errors(self) -> None:
        for label, widget in self._fields.values():
            clear_field_error(label, widget)

    def _set_busy(self, busy: bool, text: str = "", *, error: bool = False) -> None:
        self._busy = busy
        self.set_status(text, error=error)
        self._update_actions()

    def set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if error else "")

    def _update_actions(self) -> None:
        ready = not self._busy and self.info is not None and self.editable
        self.save_button.setEnabled(ready)
        self.choose_logo_button.setEnabled(ready)
        has_logo = (self._logo_change is not None and (
            self.logo_pending or (self.info is not None and self.info.logo is not None)))
        self.remove_logo_button.setEnabled(ready and has_logo)
        self.reload_button.setEnabled(not self._busy)

    def draft(self) -> CompanyDraft:
        """The fields as typed (the service trims and checks them)."""
        return CompanyDraft(
            name=self.name_edit.text(), address=self.address_edit.text(),
            phone=self.phone_edit.text(), fax=self.fax_edit.text(),
            bank=self.bank_edit.text(), bank_account=self.bank_account_edit.text(),
            tax_number=self.tax_number_edit.text())

    # --- loading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        """Load the settings as saved (F5; what was typed and not saved is dropped)."""
        if self._busy:
            return
        actor = self._ctx.actor
        self._set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_company(uow=uow, actor=actor),
                      on_done=self._loaded, on_error=self._load_failed, owner=self)

    def _loaded(self, info: CompanyInfo) -> None:
        self._fill(info)
        self._set_busy(False, "" if info.named else self.tr(
            "No company name yet: slips print “{placeholder}” until one is saved.").format(
                placeholder=info.name))

    def _fill(self, info: CompanyInfo) -> None:
        self.info = info
        self._logo_change = KEEP_LOGO
        self._clear_errors()
        self.name_edit.setText(info.name if info.named else "")
        self.address_edit.setText(info.address)
        self.phone_edit.setText(info.phone)
        self.fax_edit.setText(info.fax)
        self.bank_edit.setText(info.bank)
        self.bank_account_edit.setText(info.bank_account)
        self.tax_number_edit.setText(info.tax_number)
        self._show_logo(info.logo)

    def _load_failed(self, error: BaseException) -> None:
        self._set_busy(False, describe_error(error).text, error=True)

    # --- the logo ----------------------------------------------------------------------------

    def _show_logo(self, image: bytes | None, facts: LogoFacts | None = None) -> None:
        pixmap = QPixmap()
        if image and pixmap.loadFromData(image):
            self.logo_preview.setPixmap(pixmap.scaled(
                PREVIEW_WIDTH, PREVIEW_HEIGHT, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
            self.logo_info.setText(facts.describe() if facts is not None else self.tr(
                "{width}×{height} pixels").format(width=pixmap.width(), height=pixmap.height()))
        else:
            self.logo_preview.clear()
            self.logo_preview.setText(self.tr("No logo"))
            self.logo_info.setText("")
        self._update_actions()

    def ask_logo_file(self) -> QFileDialog | None:
        """Open the file dialog (with ``open()``); the chosen file goes to :meth:`choose_logo`."""
        if not self.editable or self._busy:
            return None
        dialog = QFileDialog(self, self.tr("Choose the company logo"))
        dialog.setObjectName("logo_file_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
        dialog.setNameFilter(self.tr("Images (*.png *.jpg *.jpeg)"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.choose_logo)
        self.logo_dialog = dialog
        dialog.open()
        return dialog

    def choose_logo(self, path: str | Path) -> None:
        """Read and check ``path`` on the worker; a good image waits in the preview for Save."""
        if not self.editable or self._busy or not str(path):
            return
        self._clear_error("logo")
        self._set_busy(True, self.tr("Reading the image…"))
        file = str(path)
        self._ctx.run(lambda _uow: read_logo_file(file), on_done=self._logo_read,
                      on_error=self._logo_refused, owner=self)

    def _logo_read(self, chosen: ChosenLogo) -> None:
        self._logo_change = chosen.image
        self._show_logo(chosen.image, chosen.facts)
        self._set_busy(False, self.tr("Logo chosen; save to print it."))

    def _logo_refused(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            message = error.errors.get("logo", str(error))
        elif isinstance(error, OSError):
            message = self.tr("The file cannot be read: {reason}").format(
                reason=error.strerror or str(error))
        else:
            self._set_busy(False)
            show_error(self, error)
            return
        show_field_error(*self._fields["logo"], message)
        self._set_busy(False, self.tr("The logo was not changed."), error=True)

    def remove_logo(self) -> None:
        if not self.editable or self._busy:
            return
        self._logo_change = None
        self._clear_error("logo")
        self._show_logo(None)
        self.set_status(self.tr("Logo removed; save to print slips without it."))

    # --- saving ------------------------------------------------------------------------------

    def save(self) -> None:
        if self._busy or self.info is None or not self.editable:
            return
        actor, draft, version = self._ctx.actor, self.draft(), self.info.version
        logo = self._logo_change
        self._clear_errors()
        self._set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: save_company(uow=uow, actor=actor, draft=draft,
                                               expected_version=version, logo=logo),
                      on_done=self._saved, on_error=self._save_failed, owner=self)

    def _saved(self, info: CompanyInfo) -> None:
        self._fill(info)
        self._set_busy(False, self.tr("Saved. Slips printed from now on carry these details."))
        self.saved.emit(info)

    def _save_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            unplaced = []
            for field, message in error.errors.items():
                if field in self._fields:
                    show_field_error(*self._fields[field], message)
                else:
                    unplaced.append(f"{field}: {message}")
            self._set_busy(False, self.tr("Not saved: please correct the marked fields.")
                           + (" " + "; ".join(unplaced) if unplaced else ""), error=True)
            return
        self._set_busy(False, self.tr("Not saved. What you typed is still here."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            # Someone else saved in between: show theirs (the message names who and when).
            self.refresh()
