"""The print path of the preview: which papers it offers, what goes to CUPS, and what the
painted fallback (Windows, no CUPS) puts on the page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QPageSize
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app import i18n
from app.labels import paper_label
from app.models.enums import CustomerSource
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.sales import OrderDraft, OrderLineDraft, create_order
from app.services.slips import slip_papers
from app.services.tickets import IntakeDraft, NewDevice, intake_ticket
from app.services.uow import UnitOfWork
from app.ui import printing
from app.ui.context import AppContext
from app.ui.i18n import install_translator
from app.ui.print_preview import PrintPreviewDialog, open_print_preview
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
A5_POINTS = (419.53, 595.28)
C241X93_POINTS = (684.0, 264.0)  # 9.5 × 11/3 in: 241.3 × 93.13 mm


@pytest.fixture
def ticket_id(uow: UnitOfWork, clerk: Actor) -> int:
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234")).id
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="卡纸，打印有黑线", accessories="电源线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB7001"))).id


@pytest.fixture
def order_id(uow: UnitOfWork, clerk: Actor, manager: Actor) -> int:
    from decimal import Decimal as D

    from app.models.enums import ProductCategory
    from app.services.catalog import ProductDraft, create_product

    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓 CF226A", category=ProductCategory.CONSUMABLE,
        unit="支", cost_price=D("80.00"), list_price=D("199.00"),
        sales_points=D("1.00"))).id
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀零售客户", source=CustomerSource.WALK_IN)).id
    return create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=customer, lines=(
        OrderLineDraft(product_id=toner, quantity=2),))).id


@pytest.fixture
def chinese(qapp: QApplication, uow: UnitOfWork) -> Iterator[str]:
    """The interface in Chinese for one test, English again afterwards."""
    install_translator(qapp, "zh")
    i18n.set_language("zh")
    yield "zh"
    install_translator(qapp, "en")
    i18n.set_language("en")


@pytest.fixture
def lp_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """CUPS as a stand-in: ``lp`` is there and takes every job; its command lines."""
    calls: list[list[str]] = []

    def run(command: list[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        calls.append(list(command))
        return subprocess.CompletedProcess(command, 0, "request id is FrontDesk-7 (1 file(s))\n",
                                           "")

    monkeypatch.setattr(printing.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(printing.subprocess, "run", run)
    return calls


def _preview(qtbot: QtBot, ctx: AppContext, kind: str, ids: list[int],
             page_size: str | None = None) -> PrintPreviewDialog:
    preview = PrintPreviewDialog(ctx, kind, ids, page_size=page_size)
    qtbot.addWidget(preview)
    with qtbot.waitSignal(preview.loaded, timeout=20_000):
        preview.show()
    return preview


def _pdfinfo(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    found = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert found, info
    return float(found[1]), float(found[2])


def test_paper_chooser_offers_the_documents_papers_with_its_default(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int, order_id: int,
) -> None:
    ctx = make_context(clerk, "storefront")
    intake = _preview(qtbot, ctx, "intake", [ticket_id])
    codes = [intake.size_combo.itemData(i) for i in range(intake.size_combo.count())]
    assert tuple(codes) == slip_papers("intake") and intake.page_size() == "A5"
    assert intake.size_combo.currentText() == paper_label("A5")
    assert "A5" in intake.files[0].name and _pdfinfo(intake.files[0]) == pytest.approx(
        A5_POINTS, abs=0.01)

    order = open_print_preview(ctx, "order", [order_id])
    qtbot.addWidget(order)
    qtbot.waitUntil(lambda: bool(order.files), timeout=20_000)
    codes = [order.size_combo.itemData(i) for i in range(order.size_combo.count())]
    assert tuple(codes) == slip_papers("order") and order.page_size() == "A4"
    assert "C241x93" in codes
    with qtbot.waitSignal(order.loaded, timeout=20_000):
        order.set_page_size("C241x93")
    assert _pdfinfo(order.files[0]) == pytest.approx(C241X93_POINTS, abs=0.01)


def test_every_printed_document_has_a_preview() -> None:
    from app.services.slips import SLIP_KINDS
    from app.ui.print_preview import _SOURCES

    assert set(SLIP_KINDS) <= set(_SOURCES)


def test_print_button_sends_the_a5_pdf_to_cups_as_a5(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int,
    lp_calls: list[list[str]],
) -> None:
    preview = _preview(qtbot, make_context(clerk, "storefront"), "intake", [ticket_id])
    preview.print_button.click()
    dialog = preview.findChild(QPrintDialog, "print_dialog")
    assert dialog is not None and dialog.isVisible()
    printer = dialog.printer()
    # The dialog opens on the document's paper, and the whole document is printed.
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A5
    assert not dialog.testOption(QPrintDialog.PrintDialogOption.PrintPageRange)
    queue = printer.printerName()
    with qtbot.waitSignal(preview.printed, timeout=10_000) as told:
        dialog.done(QDialog.DialogCode.Accepted)  # OK on the printer the dialog shows
    number = preview.document_combo.itemText(0)
    expected_queue = ["-d", queue] if queue else []
    assert lp_calls == [["/usr/bin/lp", *expected_queue, "-n", "1", "-t", number,
                         "-o", "media=A5", "-o", "print-scaling=none",
                         "-o", "fit-to-page=false", "--", str(preview.files[0])]]
    assert told.args is not None and told.args[0].startswith("Sent to")
    assert preview.print_button.isEnabled()


def test_continuous_paper_goes_to_cups_as_its_custom_size(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, order_id: int,
    lp_calls: list[list[str]],
) -> None:
    preview = _preview(qtbot, make_context(clerk, "storefront"), "order", [order_id],
                       page_size="C241x93")
    printer = QPrinter()
    printer.setCopyCount(2)
    with qtbot.waitSignal(preview.printed, timeout=10_000) as told:
        preview.print_with(printer, queue="FrontDesk")
    assert lp_calls == [["/usr/bin/lp", "-d", "FrontDesk", "-n", "2", "-t",
                         preview.document_combo.itemText(0),
                         "-o", "media=Custom.241.3x93.13mm", "-o", "print-scaling=none",
                         "-o", "fit-to-page=false", "-o", "collate=true",
                         "--", str(preview.files[0])]]
    assert told.args == ["Sent to printer FrontDesk."]
    assert preview.message_label.text() == "Sent to printer FrontDesk."


def test_a_refused_job_is_told_in_the_users_language(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int,
    monkeypatch: pytest.MonkeyPatch, chinese: str,
) -> None:
    def refuse(command: list[str], **_kw: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(
            command, 1, "", "lp: Error - The printer or class does not exist.\n")

    monkeypatch.setattr(printing.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(printing.subprocess, "run", refuse)
    preview = _preview(qtbot, make_context(clerk, "storefront", chinese), "intake",
                       [ticket_id])
    with qtbot.waitSignal(preview.printed, timeout=10_000) as told:
        preview.print_with(QPrinter(), queue="Gone")
    assert told.args == [""]
    box = preview.findChild(QMessageBox, "print_failed_box")
    assert box is not None and box.windowTitle() == "未打印"
    assert box.text() == ("打印机 Gone 未接收文档：lp: Error - The printer or class does "
                          "not exist.")
    box.close()

    assert preview.message_label.text() == "未打印。"

    monkeypatch.setattr(printing.shutil, "which", lambda name: None)  # no lp at all
    job = printing.PrintJob(files=tuple(preview.files), paper="A5", queue="Gone")
    with pytest.raises(printing.PrintFailed) as missing:
        printing.print_with_cups(job)
    assert str(missing.value) == "本机未安装打印系统（CUPS）：找不到 lp 命令。"


def test_without_cups_pages_are_painted_at_printer_resolution_on_their_paper(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int, order_id: int,
    tmp_path: Path,
) -> None:
    """The Windows path, with a PDF-writing QPrinter standing in for the printer."""
    ctx = make_context(clerk, "storefront")
    cases = [(_preview(qtbot, ctx, "intake", [ticket_id]), A5_POINTS),
             (_preview(qtbot, ctx, "order", [order_id], page_size="C241x93"),
              C241X93_POINTS)]
    for n, (preview, points) in enumerate(cases):
        out = tmp_path / f"painted-{n}.pdf"
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(200)
        if n == 0:  # here and now
            with qtbot.waitSignal(preview.printed, timeout=20_000):
                assert preview.print_to(printer) == preview.document.pageCount()
        else:  # as the Print button does it: off the GUI thread
            runner = printing.PrintRunner()
            with qtbot.waitSignal(runner.finished, timeout=20_000) as done:
                runner.start_painting(printer, preview.files, preview.page_size())
            assert done.args == [preview.document.pageCount()]
        assert _pdfinfo(out) == pytest.approx(points, abs=0.6)
        # Bands of the page at 200 dpi, one on top of the other, full width, unscaled.
        images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True,
                                text=True, check=True).stdout.splitlines()[2:]
        rows = [cells for cells in map(str.split, images)
                if cells[0] == "1" and cells[2] == "image"]  # page 1, no masks
        widths = {int(r[3]) for r in rows}
        assert widths == {round(points[0] * 200 / 72)}
        assert abs(sum(int(r[4]) for r in rows) - points[1] * 200 / 72) <= 1
        assert {r[12] for r in rows} == {"200"}  # x-ppi: drawn 1:1 at the printer's dpi
        assert not any(cells[2] in ("mask", "smask") for cells in map(str.split, images))


def test_print_to_file_keeps_the_pdf_itself(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int, tmp_path: Path,
) -> None:
    preview = _preview(qtbot, make_context(clerk, "storefront"), "intake", [ticket_id])
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "slip.pdf"))
    with qtbot.waitSignal(preview.printed, timeout=10_000):
        preview.print_with(printer)
    assert (tmp_path / "slip.pdf").read_bytes() == preview.files[0].read_bytes()
    text = subprocess.run(["pdftotext", str(tmp_path / "slip.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "客户服务接待单" in text


def test_print_preview_in_chinese(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, order_id: int, chinese: str,
) -> None:
    preview = _preview(qtbot, make_context(clerk, "storefront", chinese), "order",
                       [order_id], page_size="C241x93")
    preview.resize(1280, 800)
    qtbot.wait(200)
    assert preview.size_combo.currentText() == paper_label("C241x93", language="zh")
    assert preview.print_button.text() == "打印…"
    assert clipped_texts(preview) == []
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert preview.grab().save(str(SHOTS_DIR / "print_preview_continuous_zh.png"))


# --- the real path: a CUPS queue with a PDF printer (cups-pdf) ------------------------------

CUPS_SETUP = "run `bash .ci/cups-printer` as root: it starts cupsd and adds the queue"
# cups-pdf's file keeps the paper the job asked for, as CUPS names it in whole points
# (A5 = 421 × 595 pt in the printer's PPD, 419.53 × 595.28 in the document): 2 pt is
# under a millimetre, while A5 enlarged onto A4 would be off by 175 pt.
PAGE_TOLERANCE = 2.0


def _cups_pdf_queue() -> tuple[str, Path]:
    """The PDF printer's queue and the folder its files land in; skips without them."""
    queue = os.environ.get("STATIONCRM_TEST_PRINTER", "StationPDF")
    if shutil.which("lp") is None or shutil.which("lpstat") is None:
        pytest.skip(f"no CUPS client (lp, lpstat) on this machine; {CUPS_SETUP}")
    device = subprocess.run(["lpstat", "-v", queue], capture_output=True, text=True,
                            check=False)
    accepting = subprocess.run(["lpstat", "-a", queue], capture_output=True, text=True,
                               check=False)
    if device.returncode or "accepting requests" not in accepting.stdout:
        pytest.skip(f"no CUPS queue {queue} taking jobs ({(device.stderr or '').strip()}); "
                    f"{CUPS_SETUP}")
    uri = device.stdout.split(":", 1)[1].strip()
    if not uri.startswith("cups-pdf:/"):
        pytest.skip(f"queue {queue} is no cups-pdf printer ({uri}); {CUPS_SETUP}")
    name = uri.removeprefix("cups-pdf:/")
    conf = Path("/etc/cups") / (f"cups-pdf-{name}.conf" if name else "cups-pdf.conf")
    out = None
    if conf.is_file():
        for line in conf.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Out "):
                out = line.split(None, 1)[1].strip()
    if not out or "${" in out or not Path(out).is_dir():
        pytest.skip(f"cups-pdf of queue {queue} has no fixed output folder ({conf}: "
                    f"Out {out}); {CUPS_SETUP}")
    return queue, Path(out)


def _printed_file(folder: Path, token: str, timeout_s: float = 60) -> Path:
    """cups-pdf's file of the job titled ``token``, once it is complete."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in folder.glob(f"*{token}*.pdf"):
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=False)
            if info.returncode == 0:
                return path
        time.sleep(0.2)
    raise AssertionError(f"cups-pdf wrote no file for job {token} into {folder} within "
                         f"{timeout_s:g} s (see /var/log/cups/)")


def _viewed_size(path: Path) -> tuple[float, float]:
    """The page's size as it is seen: width and height swapped on a page turned 90°."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    width, height = _pdfinfo(path)
    turned = re.search(r"Page rot:\s+(\d+)", info)
    if turned and int(turned[1]) % 180 == 90:
        width, height = height, width
    return width, height


def test_slips_print_through_cups_on_their_paper_with_their_text(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, ticket_id: int, order_id: int,
) -> None:
    queue, folder = _cups_pdf_queue()
    ctx = make_context(clerk, "storefront")
    token = f"stationcrm-test-{uuid.uuid4().hex[:12]}"
    jobs = [(_preview(qtbot, ctx, "intake", [ticket_id]), "a5", A5_POINTS, "客户服务接待单"),
            (_preview(qtbot, ctx, "order", [order_id], page_size="C241x93"), "c241x93",
             C241X93_POINTS, "销售单")]
    for preview, suffix, _points, _title in jobs:
        # The Print button's path, the queue chosen here instead of in the dialog.
        with qtbot.waitSignal(preview.printed, timeout=30_000) as told:
            preview.print_with(QPrinter(), queue=queue, title=f"{token}-{suffix}")
        assert told.args == [f"Sent to printer {queue}."], preview.message_label.text()
    try:
        for preview, suffix, points, title in jobs:
            printed = _printed_file(folder, f"{token}-{suffix}")
            assert _viewed_size(printed) == pytest.approx(points, abs=PAGE_TOLERANCE)
            text = subprocess.run(["pdftotext", str(printed), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert title in text and preview.document_combo.itemText(0) in text
    finally:
        for path in folder.glob(f"*{token}*"):
            path.unlink(missing_ok=True)
