"""Print preview of quotations, sales and intake slips: the PDF made on the worker, shown."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.reports.intake_slip import render_intake_slip
from app.reports.sales_slips import render_order_slip, render_quotation_slip
from app.services.slips import intake_slip_data, order_slip_data, quotation_slip_data
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.record_dialog import keep_open

SlipKind = Literal["quotation", "order", "intake"]
PAGE_SIZES = ("A4", "A5")


@dataclass(frozen=True)
class _Slip:
    number: str
    data: Any


class PrintPreviewDialog(QDialog):
    """Preview one or more slips of one kind; Print… sends them all to a printer.

    The slip data is gathered once (``app.services.slips`` audits the print); switching
    A4/A5 only renders again, also on the worker.

    Signals:
        loaded(): the PDFs are ready and the first one is shown.
    """

    loaded = Signal()

    def __init__(self, ctx: AppContext, kind: SlipKind, record_ids: Sequence[int],
                 parent: QWidget | None = None, *, page_size: str = "A4") -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self._ctx = ctx
        self._kind = kind
        self._ids = list(record_ids)
        self._slips: list[_Slip] = []
        self._files: list[Path] = []
        self._tmp = tempfile.TemporaryDirectory(prefix="stationcrm-print-")
        self._serial = 0
        self._busy = False
        self.setWindowTitle(self.tr("Print preview"))

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setObjectName("pdf_view")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.size_combo = QComboBox(self)
        self.size_combo.setObjectName("page_size_combo")
        for size in PAGE_SIZES:
            self.size_combo.addItem(size, size)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(page_size)))
        self.size_combo.currentIndexChanged.connect(lambda _i: self._render())
        self.document_combo = QComboBox(self)
        self.document_combo.setObjectName("document_combo")
        self.document_combo.currentIndexChanged.connect(self._show_document)
        self.document_combo.setVisible(len(self._ids) > 1)
        self.message_label = QLabel(self.tr("Preparing the document…"), self)
        self.message_label.setObjectName("preview_message")
        self.print_button = QPushButton(self.tr("Print…"), self)
        self.print_button.setObjectName("print_button")
        self.print_button.clicked.connect(self.ask_print)
        self.save_button = QPushButton(self.tr("Save PDF…"), self)
        self.save_button.setObjectName("save_pdf_button")
        self.save_button.clicked.connect(self.ask_save)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("close_button")
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.ask_print)

        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Paper:"), self))
        bar.addWidget(self.size_combo)
        bar.addWidget(self.document_combo)
        bar.addWidget(self.message_label, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.resize(820, 900)
        self._set_busy(True)
        self._build()

    # --- public ----------------------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self._busy

    @property
    def files(self) -> list[Path]:
        return list(self._files)

    def page_size(self) -> str:
        return str(self.size_combo.currentData())

    def set_page_size(self, size: str) -> None:
        self.size_combo.setCurrentIndex(self.size_combo.findData(size))

    def ask_print(self) -> None:
        if self._busy or not self._files:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("print_dialog")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The printer must live until the dialog answers.
        dialog.accepted.connect(lambda: self.print_to(printer))
        dialog.open()

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page of every document onto ``printer``; returns the pages printed."""
        painter = QPainter()
        if not painter.begin(printer):
            self.message_label.setText(self.tr("The printer could not be started."))
            return 0
        printed = 0
        try:
            for path in self._files:
                document = QPdfDocument(self)
                document.load(str(path))
                for page in range(document.pageCount()):
                    if printed:
                        printer.newPage()
                    target = painter.viewport()
                    points = document.pagePointSize(page)
                    scale = min(target.width() / points.width(),
                                target.height() / points.height())
                    size = QSize(int(points.width() * scale), int(points.height() * scale))
                    image = document.render(page, size)
                    painter.drawImage(QRect(target.topLeft(), size), image)
                    printed += 1
                document.close()
                document.deleteLater()
        finally:
            painter.end()
        self.message_label.setText(self.tr("Sent {count} page(s) to the printer.").format(
            count=printed))
        return printed

    def ask_save(self) -> None:
        if self._busy or not self._files:
            return
        index = max(0, self.document_combo.currentIndex())
        dialog = QFileDialog(self, self.tr("Save PDF"))
        dialog.setObjectName("save_pdf_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("PDF files (*.pdf)"))
        dialog.setDefaultSuffix("pdf")
        dialog.selectFile(f"{self._slips[index].number}.pdf")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda name: self.save_pdf(name, index))
        dialog.open()

    def save_pdf(self, target: str, index: int = 0) -> None:
        shutil.copyfile(self._files[index], target)
        self.message_label.setText(self.tr("Saved {name}.").format(name=Path(target).name))

    # --- worker ----------------------------------------------------------------------------

    def _build(self) -> None:
        ids, actor, kind = list(self._ids), self._ctx.actor, self._kind

        def build(uow: Any) -> list[_Slip]:
            datas: list[Any]
            if kind == "quotation":
                datas = [quotation_slip_data(uow=uow, actor=actor, quotation_id=i)
                         for i in ids]
            elif kind == "intake":
                datas = [intake_slip_data(uow=uow, actor=actor, ticket_id=i) for i in ids]
            else:
                datas = [order_slip_data(uow=uow, actor=actor, order_id=i) for i in ids]
            return [_Slip(d.number, d) for d in datas]

        self._ctx.run(build, on_done=self._on_built, on_error=self._on_failed, owner=self)

    def _on_built(self, slips: list[_Slip]) -> None:
        self._slips = slips
        self.document_combo.blockSignals(True)
        self.document_combo.clear()
        for slip in slips:
            self.document_combo.addItem(slip.number)
        self.document_combo.blockSignals(False)
        if len(slips) == 1:
            self.setWindowTitle(self.tr("Print preview – {number}").format(
                number=slips[0].number))
        self._render()

    def _render(self) -> None:
        if not self._slips:
            return
        self._serial += 1
        serial, size, kind = self._serial, self.page_size(), self._kind
        folder = Path(self._tmp.name)
        slips = list(self._slips)
        render: Any = {"quotation": render_quotation_slip, "order": render_order_slip,
                       "intake": render_intake_slip}[kind]

        def work(_uow: Any) -> list[Path]:
            paths = []
            for n, slip in enumerate(slips):
                path = folder / f"{serial}-{n}-{slip.number}-{size}.pdf"
                render(slip.data, path, page_size=size)
                paths.append(path)
            return paths

        self._set_busy(True)
        self.message_label.setText(self.tr("Preparing the document…"))
        self._ctx.run(work, on_done=lambda paths: self._on_rendered(serial, paths),
                      on_error=self._on_failed, owner=self)

    def _on_rendered(self, serial: int, paths: list[Path]) -> None:
        if serial != self._serial:
            return
        self._files = paths
        self._show_document(max(0, self.document_combo.currentIndex()))
        self._set_busy(False)
        self.message_label.setText(self.tr("{count} page(s)").format(
            count=self.document.pageCount()))
        self.loaded.emit()

    def _show_document(self, index: int) -> None:
        if not (0 <= index < len(self._files)):
            return
        self.document.close()
        self.document.load(str(self._files[index]))
        self.view.pageNavigator().jump(0, QPointF(), self.view.pageNavigator().currentZoom())

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        self.message_label.setText(self.tr("The document could not be prepared."))
        show_error(self, error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.print_button, self.save_button, self.size_combo):
            widget.setEnabled(not busy)

    def done(self, result: int) -> None:
        self.document.close()
        super().done(result)
        self._tmp.cleanup()


def open_print_preview(ctx: AppContext, kind: SlipKind, record_ids: Sequence[int],
                       parent: QWidget | None = None, *,
                       page_size: str | None = None) -> PrintPreviewDialog:
    """Intake slips default to A5 paper, the sales slips to A4."""
    size = page_size or ("A5" if kind == "intake" else "A4")
    return keep_open(PrintPreviewDialog(ctx, kind, record_ids, parent, page_size=size))
