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
    # catalog, quotations, orders, payments (app/services/catalog.py, sales.py, lifecycle.py)
    "Product": "产品",
    "Quotation": "报价单",
    "Order": "订单",
    "Payment": "回款",
    "Draft": "草稿",
    "Sent": "已发送",
    "Accepted": "已接受",
    "Rejected": "已拒绝",
    "Expired": "已过期",
    "Converted to order": "已转订单",
    "Confirmed": "已确认",
    "Delivered": "已送货",
    "Completed": "已完成",
    "Cancelled": "已取消",
    "{record} is “{current}” and cannot become “{target}”.":
        "{record} 当前为“{current}”，不能变为“{target}”。",
    "A quotation becomes “Converted to order” only by converting it to an order.":
        "报价单只能通过“转为订单”操作变为“已转订单”。",
    "{record} is no longer a draft and cannot be edited.": "{record} 已不是草稿，不能再修改。",
    "{record} has {amount} of payments allocated to it and cannot be cancelled.":
        "{record} 已有 {amount} 回款核销，不能取消。",
    "You may not set the cost price.": "您无权设置成本价。",
    "may hold only Latin letters, digits and - _ . / + #":
        "只能包含英文字母、数字和 - _ . / + #",
    "does not exist": "不存在",
    "is no longer sold": "已停售",
    "must be greater than zero": "必须大于零",
    "must not be in the future": "不能晚于今天",
    "must not be before the quotation date": "不能早于报价日期",
    "must not be before the order date": "不能早于订单日期",
    "is not a contact of this customer": "不是该客户的联系人",
    "is not an opportunity of this customer": "不是该客户的商机",
    "is not a line of this order": "不是本订单的明细行",
    "comes from the product catalog": "取自产品目录，不能修改",
    "add at least one line": "请至少添加一行明细",
    "has too many lines (at most {max})": "明细行过多（最多 {max} 行）",
    "the total is too large": "合计金额过大",
    "allocate the payment to at least one order": "请将回款核销到至少一张订单",
    "{record} is listed twice": "{record} 重复列出",
    "{record} is an order of another customer": "{record} 是其他客户的订单",
    "{record} is cancelled": "{record} 已取消",
    "{record} is not confirmed yet": "{record} 尚未确认",
    "is more than the {open} still open on {record}": "超过了 {record} 的未收金额 {open}",
    "The allocations add up to {allocated}, more than the payment of {amount}.":
        "核销合计 {allocated}，超过了回款金额 {amount}。",
    "The payment is {excess} more than the customer's open orders ({open}). Record only what settles orders.":
        "回款比该客户未收订单合计（{open}）多出 {excess}。请只登记用于结清订单的金额。",
    "{rest} of the payment is not allocated to an order.": "回款中有 {rest} 未核销到订单。",
    # visits, sales plans, opportunities
    "Visit record": "接待记录",
    "Sales plan": "销售计划",
    "Opportunity": "商机",
    "Submitted": "待确认",
    "Returned": "已退回",
    "New": "新商机",
    "Qualified": "需求确认",
    "Proposal": "方案报价",
    "Negotiation": "商务谈判",
    "Won": "已成交",
    "Lost": "已丢单",
    "must include a time zone": "必须包含时区",
    "must not be before the day of the visit": "不能早于接待当天",
    "must belong to the same customer": "必须属于同一客户",
    "give either an existing customer or a new customer card":
        "请选择一个已有客户，或填写新的客户档案（二选一）",
    "This customer may already exist: {names}. Choose the existing customer, or confirm that this is a new one.":
        "该客户可能已存在：{names}。请选择已有客户，或确认这是一个新客户。",
    "This customer belongs to someone else; you may not record visits for it.":
        "该客户属于其他人，您无权为其登记接待记录。",
    "This customer belongs to someone else; you may not record opportunities for it.":
        "该客户属于其他人，您无权为其登记商机。",
    "Only the author or management may change this visit record.":
        "只有填写人或管理部可以修改这条接待记录。",
    "A confirmed visit record can no longer be changed.": "已确认的接待记录不能再修改。",
    "This visit record has no follow-up date.": "这条接待记录没有跟进日期。",
    "A closed opportunity can no longer be changed.": "已关闭的商机不能再修改。",
    # service contracts and knowledge base
    "Service contract": "服务合同",
    "Knowledge entry": "知识库条目",
    "Active": "生效中",
    "Terminated": "已终止",
    "Renewed": "已续签",
    "Pending": "待审核",
    "Approved": "已审核",
    "An ended contract can no longer be changed.": "已结束的合同不能再修改。",
    "must not be before the start date": "不能早于开始日期",
    "must be devices of this customer": "必须是该客户的设备",
    "Only pending knowledge entries can be approved or rejected.": "只有待审核的知识库条目可以审核或驳回。",
    "Only approved knowledge entries can be used.": "只有已审核的知识库条目可以使用。",
    "Service ticket": "服务单",
    "This customer belongs to someone else; you may not take in repairs for it.":
        "该客户属于其他人，您无权为其接收维修。",
    "is required for an on-site job": "上门服务必须填写",
    "give either an existing device or a new one": "请选择已有设备或填写新设备（二选一）",
    "must be an active technician": "必须是在职的维修工程师",
    "Use dispatch, the repair record or pickup for this step.": "这一步请使用派工、维修记录或取机。",
    "Only the repair lead or the intake may cancel a ticket.": "只有维修主管或接单人可以取消服务单。",
    "Only the assigned technician may record the repair.": "只有被派工的工程师可以填写维修记录。",
    "is more than the open charge of {amount}": "超过了未付费用 {amount}",
    "Received": "已接单",
    "Dispatched": "已派工",
    "In repair": "维修中",
    "Waiting for parts": "待料",
    "Done": "维修完成",
    "Picked up": "已取机",
    "Closed": "已关闭",
}

