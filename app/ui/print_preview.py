"""Print preview of the printed slips: the PDF made on the worker, shown, printed on its paper.

Print… sends the PDF itself to the printer (app.ui.printing): to the CUPS queue chosen in
the print dialog on Linux and macOS, painted at the printer's resolution on Windows.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.labels import paper_label
from app.reports.handover import render_payment_receipt, render_pickup_receipt
from app.reports.intake_slip import render_dispatch_order, render_intake_slip
from app.reports.sales_slips import render_order_slip, render_quotation_slip
from app.services.slips import (
    dispatch_order_data,
    intake_slip_data,
    order_slip_data,
    pickup_slip_data,
    quotation_slip_data,
    receipt_data,
    slip_papers,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.record_dialog import keep_open
from app.ui.printing import PrintFailed, PrintJob, PrintRunner, has_cups, paint_pdfs, set_paper

SlipKind = str  # a kind of app.services.slips.SLIP_KINDS with a source below
# gather(uow, actor, record id) -> the slip's data (audits the print); render(data, path,
# page_size=paper code) writes its PDF.
Gather = Callable[[UnitOfWork, Any, int], Any]
Render = Callable[..., Any]
_SOURCES: dict[str, tuple[Gather, Render]] = {
    "quotation": (lambda uow, actor, i: quotation_slip_data(uow=uow, actor=actor,
                                                            quotation_id=i),
                  render_quotation_slip),
    "order": (lambda uow, actor, i: order_slip_data(uow=uow, actor=actor, order_id=i),
              render_order_slip),
    "intake": (lambda uow, actor, i: intake_slip_data(uow=uow, actor=actor, ticket_id=i),
               render_intake_slip),
    "dispatch": (lambda uow, actor, i: dispatch_order_data(uow=uow, actor=actor, ticket_id=i),
                 render_dispatch_order),
    "pickup": (lambda uow, actor, i: pickup_slip_data(uow=uow, actor=actor, ticket_id=i),
               render_pickup_receipt),
    "receipt": (lambda uow, actor, i: receipt_data(uow=uow, actor=actor, payment_id=i),
                render_payment_receipt),
}


def register_slip_source(kind: str, gather: Gather, render: Render) -> None:
    """Let the preview show and print slips of another ``kind`` (or replace a kind's source).

    ``gather(uow, actor, record_id)`` returns the slip's data and audits the print;
    ``render(data, path, page_size=code)`` writes the PDF. The papers offered are
    ``app.services.slips.slip_papers(kind)``.
    """
    _SOURCES[kind] = (gather, render)


def papers_of(kind: str) -> tuple[str, ...]:
    """The paper codes ``kind`` prints on, its default first."""
    try:
        return slip_papers(kind)
    except ValueError:
        return ("A4", "A5")


@dataclass(frozen=True)
class _Slip:
    number: str
    data: Any


class PrintPreviewDialog(QDialog):
    """Preview one or more slips of one kind; Print… sends them all to a printer.

    The slip data is gathered once (``app.services.slips`` audits the print); choosing
    another paper only renders again, also on the worker. The papers offered are the
    kind's (``slip_papers``), its default first; the printer gets the chosen one.

    Signals:
        loaded(): the PDFs are ready and the first one is shown.
        printed(str): a print finished; the text says how ("" when it failed).
    """

    loaded = Signal()
    printed = Signal(str)

    def __init__(self, ctx: AppContext, kind: SlipKind, record_ids: Sequence[int],
                 parent: QWidget | None = None, *, page_size: str | None = None) -> None:
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

        self._runner = PrintRunner(self)
        self._runner.finished.connect(self._on_runner_done)
        self._printing = False
        self._queue = ""
        self.size_combo = QComboBox(self)
        self.size_combo.setObjectName("page_size_combo")
        papers = papers_of(kind)
        for code in papers:
            self.size_combo.addItem(paper_label(code), code)
        self.size_combo.setCurrentIndex(max(0, self.size_combo.findData(page_size or papers[0])))
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
        """The print dialog, set to the document's paper; OK prints (:meth:`print_with`)."""
        if self._busy or self._printing or not self._files:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_paper(printer, self.page_size())
        printer.setDocName(self._job_title())
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("print_dialog")
        # The paper is the document's (chosen above); the pages are all of them.
        dialog.setOptions(QAbstractPrintDialog.PrintDialogOption.PrintToFile
                          | QAbstractPrintDialog.PrintDialogOption.PrintCollateCopies)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # The printer must live until the dialog answers. (``accepted`` is ambiguous here:
        # QDialog's and QPrintDialog's accepted(QPrinter*).)
        dialog.finished.connect(
            lambda result: self.print_with(printer)
            if result == QDialog.DialogCode.Accepted else None)
        # WORKAROUND: PySide6's QPrintDialog.open(receiver, member) hides QDialog.open():
        # a plain dialog.open() raised TypeError, and Print… showed nothing.
        QDialog.open(dialog)

    def print_with(self, printer: QPrinter, *, queue: str | None = None,
                   title: str | None = None) -> None:
        """Print every document on the chosen paper to the printer the dialog chose.

        Printing to a file copies the PDF itself; with CUPS the PDF goes to the queue
        ``queue`` (else ``printer.printerName()``) as it is, off the GUI thread; without
        CUPS (Windows) the pages are painted at the printer's resolution, also off the GUI
        thread (:func:`app.ui.printing.paint_pdfs`).
        ``title`` names the job in the queue (the document numbers by default). The
        outcome is told by :attr:`printed`.
        """
        if not self._files:
            return
        if (printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
                and printer.outputFileName()):
            self._print_to_file(printer.outputFileName())
            return
        self._printing = True
        self._set_busy(True)
        self.message_label.setText(self.tr("Sending to the printer…"))
        if has_cups():
            job = PrintJob(files=tuple(self._files), paper=self.page_size(),
                           queue=printer.printerName() if queue is None else queue,
                           copies=printer.copyCount(),
                           title=title or self._job_title(),
                           collate=printer.collateCopies())
            self._queue = job.queue
            self._runner.start(job)
        else:
            self._queue = printer.printerName()
            self._runner.start_painting(printer, self._files, self.page_size())

    def print_to(self, printer: QPrinter) -> int:
        """Paint every page of every document onto ``printer`` at its resolution, on the
        chosen paper, here and now; returns the pages printed (0 after a failure)."""
        try:
            printed = paint_pdfs(printer, self._files, self.page_size())
        except PrintFailed as error:
            self._on_printed(error)
            return 0
        self._on_printed(self.tr("Sent {count} page(s) to the printer.").format(
            count=printed))
        return printed

    def _print_to_file(self, target: str) -> None:
        """The dialog's "print to file": the PDF itself, one file per document."""
        path = Path(target)
        if len(self._files) == 1:
            targets = [path]
        else:
            targets = [path.with_name(f"{path.stem}-{slip.number}{path.suffix or '.pdf'}")
                       for slip in self._slips]
        try:
            for source, destination in zip(self._files, targets, strict=True):
                shutil.copyfile(source, destination)
        except OSError as error:
            self._on_printed(PrintFailed(self.tr("The file could not be written: {reason}")
                                         .format(reason=error.strerror or error)))
            return
        self._on_printed(self.tr("Saved {name}.").format(
            name=", ".join(t.name for t in targets)))

    def _job_title(self) -> str:
        numbers = [slip.number for slip in self._slips]
        return " ".join(numbers[:3]) + (" …" if len(numbers) > 3 else "") or "StationCRM"

    def _on_runner_done(self, outcome: object) -> None:
        """The printer's answer (CUPS) or the pages painted, back on the GUI thread."""
        self._printing = False
        self._set_busy(False)
        if isinstance(outcome, PrintFailed):
            self._on_printed(outcome)
        elif isinstance(outcome, int):
            self._on_printed(self.tr("Sent {count} page(s) to the printer.").format(
                count=outcome))
        elif self._queue:
            self._on_printed(self.tr("Sent to printer {queue}.").format(queue=self._queue))
        else:
            self._on_printed(self.tr("Sent to the printer."))

    def _on_printed(self, outcome: str | PrintFailed) -> None:
        """Say how the print went; a failure also in a message box."""
        if isinstance(outcome, PrintFailed):
            self.message_label.setText(self.tr("Not printed."))
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Not printed"), str(outcome),
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("print_failed_box")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            self.printed.emit("")
            return
        self.message_label.setText(outcome)
        self.printed.emit(outcome)

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

        gather = _SOURCES[kind][0]

        def build(uow: Any) -> list[_Slip]:
            datas = [gather(uow, actor, i) for i in ids]
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
        render = _SOURCES[kind][1]

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
            widget.setEnabled(not busy and not self._printing)

    def done(self, result: int) -> None:
        self.document.close()
        super().done(result)
        if not self._printing:  # else lp may still read them: the finalizer removes them
            self._tmp.cleanup()


def open_print_preview(ctx: AppContext, kind: SlipKind, record_ids: Sequence[int],
                       parent: QWidget | None = None, *,
                       page_size: str | None = None) -> PrintPreviewDialog:
    """The preview on ``page_size``, else the kind's default paper (intake slips A5, the
    sales slips A4: ``slip_papers``)."""
    return keep_open(PrintPreviewDialog(ctx, kind, record_ids, parent, page_size=page_size))
