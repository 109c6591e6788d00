"""Why the station cannot use its database, in words a clerk can act on: DatabaseUnavailable.

Without SQLAlchemy, so that what the login window imports before the database layer is
loaded (the task runner, the login's own error display) can name the error; app.db, which
finds the reason from what the driver said, re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

from app.dburl import DEFAULT_MSSQL_DRIVER

Reason = Literal["unreachable", "login_refused", "database_missing", "driver_missing",
                 "disk_full", "locked", "other"]

# Which message a DatabaseUnavailable shows; finer than Reason (a SQLite file that cannot be
# opened is "unreachable" to callers but needs different advice than a server).
Topic = Literal[
    "unreachable",
    "no_answer",
    "file_unreachable",
    "not_a_database",
    "disk_full",
    "file_locked",
    "login_refused",
    "database_missing",
    "odbc_driver_missing",
    "module_missing",
    "bad_url",
    "other",
]

_REASON_OF_TOPIC: Final[Mapping[Topic, Reason]] = {
    "unreachable": "unreachable",
    "no_answer": "unreachable",
    "file_unreachable": "unreachable",
    "not_a_database": "other",
    "disk_full": "disk_full",
    "file_locked": "locked",
    "login_refused": "login_refused",
    "database_missing": "database_missing",
    "odbc_driver_missing": "driver_missing",
    "module_missing": "driver_missing",
    "bad_url": "other",
    "other": "other",
}


class DatabaseUnavailable(Exception):
    """The station cannot use its database; `message` says why in words a clerk can act on.

    Attributes:
        server: host:port, ODBC data source, or SQLite file path. Never holds a password.
        reason: "unreachable", "login_refused", "database_missing", "driver_missing",
            "disk_full" (the last change was not saved), "locked" (another program holds
            the SQLite file) or "other".
        detail: one line from the driver, password removed, for the log and the administrator.
    """

    def __init__(
        self,
        *,
        topic: Topic,
        server: str,
        database: str | None = None,
        user: str | None = None,
        driver: str | None = None,
        detail: str = "",
    ) -> None:
        self.topic: Topic = topic
        self.reason: Reason = _REASON_OF_TOPIC[topic]
        self.server = server
        self.database = database
        self.user = user
        self.driver = driver
        self.detail = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """What went wrong and what to check, in English."""
        server, detail = self.server or "(address unknown)", self.detail or "no details"
        match self.topic:
            case "unreachable":
                return (
                    f"Cannot reach the database server {server}. Check that the server is on, "
                    "that the address is right, and that the firewall lets this PC in."
                )
            case "no_answer":
                return (
                    f"The database server {server} stopped answering (the network may be "
                    "cut off). Check the network cable and the server; you can stop "
                    "waiting for the current action."
                )
            case "file_unreachable":
                return (
                    f"Cannot open the database file {server}. Check that the folder exists, "
                    "that this user account may write to it, and that the disk is not full."
                )
            case "not_a_database":
                return (
                    f"The file {server} is not a StationCRM database or is damaged. Check the "
                    "database address, or restore the file from a backup."
                )
            case "disk_full":
                return (
                    f"The disk that holds the database file {server} is full, so the last "
                    "change was not saved. Free some space on that disk (or move the data "
                    "folder to a bigger one) and try again."
                )
            case "file_locked":
                return (
                    f"The database file {server} is locked by another program: another "
                    "StationCRM window, a backup or sync tool, or an antivirus scan. Wait a "
                    "moment and try again; if it stays locked, close the other program. "
                    "Nothing was changed."
                )
            case "login_refused":
                who = f' for user "{self.user}"' if self.user else ""
                return (
                    f"The database server {server} refused the login{who}. Check the user name "
                    "and password in the database address, and that the account may log in to "
                    "this server."
                )
            case "database_missing":
                name = f'"{self.database}"' if self.database else "named in the address"
                return (
                    f"The database server {server} has no database {name} that this login may "
                    "open. Check the database name in the address, or ask the administrator to "
                    "create the database or give this login access to it."
                )
            case "odbc_driver_missing":
                named = f'The ODBC driver "{self.driver}" is' if self.driver else (
                    "The ODBC driver or data source for this address is"
                )
                return (
                    f"{named} not installed on this PC, so StationCRM cannot connect to the "
                    f'database server {server}. Install the ODBC driver ("{DEFAULT_MSSQL_DRIVER}" '
                    "from Microsoft), or name an installed driver in the database address."
                )
            case "module_missing":
                return (
                    f'This copy of StationCRM is missing the database module "{self.driver}", '
                    f"so it cannot connect to {server}. Reinstall StationCRM."
                )
            case "bad_url":
                return (
                    f'The database address "{server}" is not valid ({detail}). Check the '
                    "address in the station settings."
                )
            case "other":
                return (
                    f"StationCRM could not use the database on {server}. Check the database "
                    "address and that the server is working. Details for the administrator: "
                    f"{detail}"
                )

    @property
    def message_zh(self) -> str:
        """What went wrong and what to check, in Simplified Chinese."""
        server, detail = self.server or "（地址未知）", self.detail or "无"
        match self.topic:
            case "unreachable":
                return (
                    f"无法连接数据库服务器 {server}。"
                    "请检查服务器是否已开机、地址是否正确、防火墙是否允许本机访问。"
                )
            case "no_answer":
                return (
                    f"数据库服务器 {server} 没有响应（网络可能已中断）。"
                    "请检查网线和服务器；可以停止等待当前操作。"
                )
            case "file_unreachable":
                return (
                    f"无法打开数据库文件 {server}。"
                    "请检查文件夹是否存在、当前用户是否有写入权限、磁盘空间是否已满。"
                )
            case "not_a_database":
                return (
                    f"文件 {server} 不是 StationCRM 数据库，或已损坏。"
                    "请检查数据库地址，或从备份恢复该文件。"
                )
            case "disk_full":
                return (
                    f"数据库文件 {server} 所在的磁盘已满，刚才的修改没有保存。"
                    "请清理该磁盘的空间（或把数据文件夹移到更大的磁盘）后重试。"
                )
            case "file_locked":
                return (
                    f"数据库文件 {server} 被其他程序锁定（另一个 StationCRM 窗口、备份或同步软件、"
                    "杀毒软件扫描等）。请稍候重试；如果一直被锁定，请关闭该程序。数据没有改动。"
                )
            case "login_refused":
                who = f"用户“{self.user}”的" if self.user else ""
                return (
                    f"数据库服务器 {server} 拒绝了{who}登录。"
                    "请检查数据库地址中的用户名和密码，以及该账户是否有权登录此服务器。"
                )
            case "database_missing":
                name = f"“{self.database}”" if self.database else "地址中指定"
                return (
                    f"数据库服务器 {server} 上没有本账户可打开的名为{name}的数据库。"
                    "请检查地址中的数据库名称，或请管理员创建该数据库或为本账户授予访问权限。"
                )
            case "odbc_driver_missing":
                named = f" ODBC 驱动程序“{self.driver}”" if self.driver else (
                    "此地址所需的 ODBC 驱动程序或数据源"
                )
                return (
                    f"本机未安装{named}，无法连接数据库服务器 {server}。"
                    f"请安装 ODBC 驱动程序（Microsoft “{DEFAULT_MSSQL_DRIVER}”），"
                    "或在数据库地址中指定已安装的驱动程序。"
                )
            case "module_missing":
                return (
                    f"此 StationCRM 安装缺少数据库模块“{self.driver}”，无法连接 {server}。"
                    "请重新安装 StationCRM。"
                )
            case "bad_url":
                return f"数据库地址“{server}”无效（{detail}）。请检查本机设置中的数据库地址。"
            case "other":
                return (
                    f"StationCRM 无法使用 {server} 上的数据库。"
                    f"请检查数据库地址及服务器是否正常运行。供管理员参考的详情：{detail}"
                )

    def message_for(self, language: str | None) -> str:
        """The message in the station's language ("zh..." gives Chinese, anything else English)."""
        return self.message_zh if (language or "").lower().startswith("zh") else self.message


__all__ = ["DatabaseUnavailable", "Reason", "Topic"]
