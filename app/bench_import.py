"""``stationcrm bench --import-rows N``: the customer import's dry run and import, timed.

A deterministic sheet of N customer rows as a Chinese office saves it (CSV in GBK: company
names with and without their city and 有限公司, a phone with an area code and a dash, a
contact with a mobile number on each row, a third of the customers with a second or third
contact on rows of their own, the odd note) is planned and imported by the same service
calls the wizard makes, as one person (the general manager, or the login given with --as).
The results are the two operations' wall-clock times and the process's peak memory.
"""

from __future__ import annotations

import csv
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.importing.customers import plan_customer_import, run_customer_import
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

_CITIES = "北京 上海 天津 广州 深圳 杭州 南京 成都 武汉 西安 苏州 郑州".split()
_WORDS = ("华鑫锐博文宏达信通联创新科技电子网络数码"
          "恒泰安康盛和顺兴隆源嘉禾丰瑞祥云海天宇星辰光明德正")
_KINDS = ("有限公司", "科技有限公司", "贸易有限公司", "学校", "医院", "事务所", "商行")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
_TITLES = ("经理", "采购", "行政", "财务", "主任", "")
HEADER = ("客户名称", "电话", "地址", "联系人", "手机", "职务", "备注")


def write_sheet(path: Path, customers: int, *, seed: int = 1) -> int:
    """Write the sheet of ``customers`` distinct customers; returns its data rows."""
    rng = random.Random(seed)
    seen: set[str] = set()
    rows = 0
    with path.open("w", encoding="gbk", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        while len(seen) < customers:
            name = (rng.choice(_CITIES)
                    + "".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 4)))
                    + rng.choice(_KINDS))
            if name in seen:
                continue
            seen.add(name)
            phone = f"0{rng.randint(10, 999)}-{rng.randint(2_000_000, 89_999_999)}"
            road = rng.choice(_WORDS) + rng.choice(_WORDS)
            street = f"{name[:2]}市{road}路{rng.randint(1, 999)}号"
            contacts = 1 if rng.random() < 0.65 else rng.randint(2, 3)
            for k in range(contacts):
                person = (rng.choice(_SURNAMES) + rng.choice(_GIVEN)
                          + (rng.choice(_GIVEN) if rng.random() < 0.5 else ""))
                mobile = f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
                if k == 0:
                    writer.writerow([name, phone, street, person, mobile, rng.choice(_TITLES),
                                     "老客户" if rng.random() < 0.1 else ""])
                else:
                    writer.writerow([name, "", "", person, mobile, rng.choice(_TITLES), ""])
                rows += 1
    return rows


def peak_memory_mb() -> float | None:
    """The process's peak resident memory so far (None where it cannot be read)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@dataclass(frozen=True)
class ImportTiming:
    operation: str  # "import dry run" or "import"
    seconds: float
    rows: int
    customers: int  # what the dry run plans to create / what the import created
    peak_mb: float | None


def bench_import(uow: UnitOfWork, actor: Actor, sheet: Path, rows: int,
                 note: Any = None) -> list[ImportTiming]:
    """Plan and import ``sheet`` as ``actor``; the import's chunks are reported to ``note``
    (a callable taking a line) as they are written."""
    started = time.perf_counter()
    plan = plan_customer_import(uow=uow, actor=actor, path=sheet)
    planned = ImportTiming("import dry run", time.perf_counter() - started, rows,
                           plan.counts()["create"], peak_memory_mb())
    started = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if note is not None and (done % 10_000 < 1_000 or done == total):
            note(f"{done}/{total}  {time.perf_counter() - started:.1f} s")

    result = run_customer_import(uow=uow, actor=actor, plan=plan, progress=progress)
    written = ImportTiming("import", time.perf_counter() - started, rows, result.created,
                           peak_memory_mb())
    return [planned, written]


def import_records(timings: list[ImportTiming], *, engine: str) -> list[dict[str, Any]]:
    """``--json`` records, with the keys of the other operations' (app.bench.result_records)
    and the sheet's rows and the peak memory."""
    return [{"operation": t.operation, "engine": engine, "customers": t.customers,
             "service_ms": round(t.seconds * 1000, 1), "service_min_ms": None,
             "sql_ms": None, "ratio": None, "statements": None, "rows": t.rows,
             "peak_mb": t.peak_mb} for t in timings]


def format_import(timings: list[ImportTiming]) -> str:
    lines = [f"{'operation':<18}{'rows':>9}{'customers':>11}{'seconds':>9}{'peak MB':>9}"]
    for t in timings:
        peak = f"{t.peak_mb:.0f}" if t.peak_mb is not None else "-"
        lines.append(f"{t.operation:<18}{t.rows:>9}{t.customers:>11}{t.seconds:>9.1f}"
                     f"{peak:>9}")
    return "\n".join(lines)
