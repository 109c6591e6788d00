"""Simplified Chinese catalog for messages made below the UI (see app.i18n)."""

CATALOG_ZH: dict[str, str] = {
    # permissions
    "You may not {operation} in {module}.": "您没有在“{module}”中{operation}的权限。",
    "This record belongs to someone else; you may not {operation} it.":
        "该记录属于其他人，您无权{operation}。",
    "Your account is deactivated.": "您的账户已停用。",
    # generic
    "{entity} {id} does not exist or you may not see it.": "{entity} {id} 不存在或您无权查看。",
    "{entity} was changed by {user} at {when} after you opened it.":
        "{entity} 在您打开之后已被 {user} 于 {when} 修改。",
    "Someone else saved this record at the same time. Reload it and try again.":
        "其他人同时保存了此记录，请重新载入后再试。",
    "The database refused the change: {detail}": "数据库拒绝了此修改：{detail}",
    # validation
    "is required": "必填",
    "is too long (at most {max} characters)": "太长（最多 {max} 个字符）",
    "is not a valid choice": "不是有效的选项",
    "contains characters that cannot be stored": "包含无法保存的字符",
    "must be a phone number (digits, spaces, +, -, parentheses)":
        "必须是电话号码（数字、空格、+、-、括号）",
    "must be a valid e-mail address": "必须是有效的电子邮箱地址",
    "must be an active user": "必须是在职用户",
    "must be a number": "必须是数字",
    "must not be negative": "不能为负数",
    "has too many decimal places": "小数位过多",
    "is too large": "数值过大",
    "is not a valid date": "不是有效的日期",
    "must be between {low} and {high}": "必须在 {low} 到 {high} 之间",
    "already exists": "已存在",
    "is already registered to {customer}": "已登记在客户“{customer}”名下",
    "must be at least {min} characters": "至少 {min} 个字符",
    # schema
    "The database has no StationCRM tables yet. Ask the administrator to run 'stationcrm db upgrade' on it.":
        "数据库中还没有 StationCRM 的数据表。请系统管理员对其运行“stationcrm db upgrade”。",
    "The database was made for another version of StationCRM (schema {current}, this program needs {head}). Ask the administrator to run 'stationcrm db upgrade', or install the matching program version.":
        "该数据库属于另一版本的 StationCRM（结构版本 {current}，本程序需要 {head}）。"
        "请系统管理员运行“stationcrm db upgrade”，或安装相应版本的程序。",
    # auth
    "Wrong user name or password.": "用户名或密码错误。",
    "Too many failed attempts. The account is locked until {when}.":
        "失败次数过多，账户已锁定至 {when}。",
    # entities
    "Customer": "客户",
    "User": "用户",
    "Role": "角色",
    # modules and operations as shown in messages
    "customers": "客户档案",
    "visits": "接待记录",
    "sales_plans": "销售计划",
    "opportunities": "商机",
    "products": "产品目录",
    "quotations": "报价单",
    "orders": "订单",
    "payments": "回款",
    "contracts": "服务合同",
    "service_tickets": "服务单",
    "knowledge": "知识库",
    "tasks": "工作任务",
    "care": "客户关怀",
    "statistics": "统计分析",
    "administration": "系统管理",
    "view": "查看",
    "create": "新建",
    "edit": "修改",
    "delete": "删除",
    "confirm": "确认",
    "print": "打印",
    "export": "导出",
}
