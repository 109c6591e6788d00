"""Printing a document's PDF on its own paper: to a CUPS queue as it is, or painted where
there is no CUPS (Windows).

On Linux and macOS the PDF goes to the queue unchanged (``lp``): text stays text, fonts stay
fonts, and the printer's own driver rasterises at its full resolution. The job asks for the
document's paper by name (A4, A5) or as a custom size (the continuous dot-matrix forms,
``Custom.241.3x93.13mm``) and for no scaling, so an A5 slip prints A5 and is never blown up
to fit an A4 sheet.

On Windows a PDF cannot be handed to a printer as it is (GDI drivers take drawing calls,
not PDF). There each page is rendered, off the GUI thread, by Qt PDF (pdfium) to a bitmap
at the printer's full resolution — 600 dpi on a 600 dpi laser, 180 or 360 dpi on a
dot-matrix printer — in horizontal bands, and drawn 1:1 onto a page of the document's own
size (the ISO size by its Windows form, the continuous forms as a user-defined size). The
printer then receives a full-resolution image: sharp on paper, but a "PDF printer" on
Windows gets a picture, not text, and a dot-matrix printer prints it in graphics mode
rather than its text mode.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QMarginsF,
    QObject,
    QRect,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPrintSupport import QPrinter

from app.reports.page import PAGE_SIZES

# ISO papers go to the printer by name: the queue then picks the tray that holds them.
_NAMED_MEDIA = {"A4": "A4", "A5": "A5"}
_STANDARD_PAGES = {"A4": QPageSize.PageSizeId.A4, "A5": QPageSize.PageSizeId.A5}
# Band height of the raster fallback, in device pixels: an A4 page at 1200 dpi is ~560 MB
# as one ARGB image, a band of 512 rows under 20 MB.
BAND_ROWS = 512
LP_TIMEOUT_S = 30
_MM_PER_POINT = 25.4 / 72


class PrintFailed(Exception):
    """The document did not reach the printer; ``str()`` is a message for people."""


@dataclass(frozen=True)
class PrintJob:
    """What goes to the printer: the PDFs of one paper size, as one job.

    Attributes:
        files: the PDF files, printed in order.
        paper: a code of ``app.reports.page.PAGE_SIZES`` ("A5", "C241x93" ...).
        queue: the printer's name (``QPrinter.printerName()``); empty for the default one.
        copies: how many copies.
        title: the job's name in the printer's queue.
        collate: with several copies, print each set complete before the next.
    """

    files: tuple[Path, ...]
    paper: str
    queue: str = ""
    copies: int = 1
    title: str = "StationCRM"
    collate: bool = True


def has_cups() -> bool:
    """True where jobs go through CUPS (Linux, macOS) and its ``lp`` command exists."""
    return sys.platform != "win32" and shutil.which("lp") is not None


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def media_option(paper: str) -> str:
    """The CUPS ``media`` of a paper code: "A5", or "Custom.241.3x93.13mm" for a size
    without a standard name (continuous forms), exactly as long as the document's page."""
    if paper in _NAMED_MEDIA:
        return _NAMED_MEDIA[paper]
    try:
        width, height = PAGE_SIZES[paper]
    except KeyError:
        raise ValueError(f"unknown paper {paper!r}") from None
    return (f"Custom.{_number(width * _MM_PER_POINT)}x"
            f"{_number(height * _MM_PER_POINT)}mm")


def cups_command(job: PrintJob, lp: str = "lp") -> list[str]:
    """The ``lp`` command line that prints ``job`` as it is, on its paper, unscaled.

    ``print-scaling=none`` (IPP, CUPS 2.2 and later) and ``fit-to-page=false`` (older
    filters) keep every page at 100 %: the page already has the paper's size, so nothing
    is cut, and an A5 page is never enlarged onto bigger paper.
    """
    command = [lp]
    if job.queue:
        command += ["-d", job.queue]
    command += ["-n", str(max(1, job.copies)), "-t", job.title,
                "-o", f"media={media_option(job.paper)}",
                "-o", "print-scaling=none", "-o", "fit-to-page=false"]
    if job.copies > 1:
        command += ["-o", f"collate={'true' if job.collate else 'false'}"]
    command += ["--", *(str(path) for path in job.files)]
    return command


def print_with_cups(job: PrintJob) -> str:
    """Submit ``job`` to CUPS; returns what ``lp`` answered ("request id is …").

    Raises:
        PrintFailed: ``lp`` is missing, the queue refused the job or does not exist.
    """
    lp = shutil.which("lp")
    if lp is None:
        raise PrintFailed(QCoreApplication.translate(
            "Printing",
            "The print system (CUPS) is not installed on this computer: the lp command is missing.",
        ))
    try:
        done = subprocess.run(cups_command(job, lp), capture_output=True, text=True,
                              timeout=LP_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise PrintFailed(QCoreApplication.translate(
            "Printing", "The print system did not answer within {seconds} s.",
        ).format(seconds=LP_TIMEOUT_S)) from None
    except OSError as error:
        raise PrintFailed(QCoreApplication.translate(
            "Printing", "The print system could not be started: {reason}",
        ).format(reason=error.strerror or error)) from None
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip() or f"lp exit {done.returncode}"
        queue = job.queue or QCoreApplication.translate("Printing", "(default)")
        raise PrintFailed(QCoreApplication.translate(
            "Printing", "Printer {queue} did not take the document: {reason}",
        ).format(queue=queue, reason=reason))
    return done.stdout.strip()


def page_size_of(paper: str) -> QPageSize:
    """The Qt page size of a paper code: A4/A5 by their standard id (the driver's own
    form), the continuous forms as an exact custom size in points."""
    if paper in _STANDARD_PAGES:
        return QPageSize(_STANDARD_PAGES[paper])
    width, height = PAGE_SIZES[paper]
    return QPageSize(QSizeF(width, height), QPageSize.Unit.Point, paper,
                     QPageSize.SizeMatchPolicy.ExactMatch)


def set_paper(printer: QPrinter, paper: str) -> None:
    """Give ``printer`` the document's paper, portrait, painted from the sheet's corner."""
    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(page_size_of(paper), QPageLayout.Orientation.Portrait,
                                      QMarginsF()))


def paint_pdfs(printer: QPrinter, files: Sequence[Path], paper: str) -> int:
    """The fallback without CUPS: every page rendered at the printer's resolution, 1:1.

    Each page becomes bitmap bands of :data:`BAND_ROWS` rows at ``printer.resolution()``
    dpi, drawn from the sheet's corner on a page of the document's size. Returns the pages
    printed.

    Raises:
        PrintFailed: the printer could not be started.
    """
    set_paper(printer, paper)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintFailed(QCoreApplication.translate(
            "Printing", "The printer could not be started."))
    dpi = printer.resolution()
    printed = 0
    try:
        for path in files:
            document = QPdfDocument()
            document.load(str(path))
            try:
                for page in range(document.pageCount()):
                    if printed:
                        printer.newPage()
                    _paint_page(painter, document, page, dpi)
                    printed += 1
            finally:
                document.close()
    finally:
        painter.end()
    return printed


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, dpi: int) -> None:
    points = document.pagePointSize(page)
    full = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    for top in range(0, full.height(), BAND_ROWS):
        rows = min(BAND_ROWS, full.height() - top)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(full)
        options.setScaledClipRect(QRect(0, top, full.width(), rows))
        band = document.render(page, QSize(full.width(), rows), options)
        # On white, without alpha: a printer driver gets plain pixels, not a blend.
        opaque = QImage(band.size(), QImage.Format.Format_RGB32)
        opaque.fill(Qt.GlobalColor.white)
        blend = QPainter(opaque)
        blend.drawImage(0, 0, band)
        blend.end()
        painter.drawImage(QRect(0, top, full.width(), rows), opaque)


class PrintRunner(QObject):
    """Prints off the GUI thread; the outcome arrives on the GUI thread.

    Signals:
        finished(object): ``lp``'s answer (str) after :meth:`start`, the pages painted
            (int) after :meth:`start_painting`, or the :class:`PrintFailed` raised.
    """

    finished = Signal(object)

    def __init__(self, parent: QObject | None = None,
                 submit: Callable[[PrintJob], str] | None = None) -> None:
        super().__init__(parent)
        self._submit = submit or print_with_cups

    def start(self, job: PrintJob) -> threading.Thread:
        """Submit ``job`` to CUPS."""
        return self._spawn(lambda: self._submit(job))

    def start_painting(self, printer: QPrinter, files: Sequence[Path],
                       paper: str) -> threading.Thread:
        """Paint ``files`` onto ``printer`` (:func:`paint_pdfs`): seconds per page at
        600 dpi, so not on the GUI thread. Nothing else may use ``printer`` meanwhile."""
        paths = tuple(files)
        return self._spawn(lambda: paint_pdfs(printer, paths, paper))

    def _spawn(self, work: Callable[[], object]) -> threading.Thread:
        def run() -> None:
            outcome: object
            try:
                outcome = work()
            except PrintFailed as error:
                outcome = error
            except Exception as error:  # noqa: BLE001 - any failure is told, not raised
                outcome = PrintFailed(QCoreApplication.translate(
                    "Printing", "The document could not be printed: {reason}",
                ).format(reason=error))
            try:
                self.finished.emit(outcome)
            except RuntimeError:  # the window closed meanwhile: nobody is waiting
                pass

        thread = threading.Thread(target=run, name="stationcrm-print", daemon=True)
        thread.start()
        return thread


__all__ = [
    "PrintFailed", "PrintJob", "PrintRunner", "cups_command", "has_cups", "media_option",
    "page_size_of", "paint_pdfs", "print_with_cups", "set_paper",
]
