"""Simplified Chinese catalog: messages made below the UI, and the labels of codes (see app.i18n)."""

CATALOG_ZH: dict[str, str] = {
    # permissions
    "You may not {operation} in {module}.": "您没有在“{module}”中{operation}的权限。",
    "This record belongs to someone else; you may not {operation} it.":
        "该记录属于其他人，您无权{operation}。",
    "Your account is deactivated.": "您的账户已停用。",
    # administration, export, audit log (app/services/administration.py, exports.py)
    "may contain only letters, digits, '.' and '_'": "只能包含字母、数字、“.”和“_”",
    "may contain only letters, digits and '_'": "只能包含字母、数字和“_”",
    "would lock you out of administration": "会使您自己失去系统管理权限",
    "You cannot deactivate your own account.": "不能停用自己的账户。",
    "{user} still owns {what}. Hand them over to another user first"
    " (Tasks → Customer reassignment).":
        "{user} 名下仍有 {what}，请先移交给其他用户（工作任务 → 客户移交）。",
    "Department": "部门",
    "{department} still has {count} active user(s). Move them to another department first.":
        "{department} 仍有 {count} 个在职用户，请先把他们调到其他部门。",
    "{role} is a default role and cannot be deleted.": "{role} 是系统默认角色，不能删除。",
    "{role} is the role of {count} user(s) and cannot be deleted.":
        "{role} 仍有 {count} 个用户在使用，不能删除。",
    "is not a protectable field": "不是可保护的字段",
    "must be .xlsx or .csv": "必须是 .xlsx 或 .csv",
    "the folder {folder} does not exist": "文件夹 {folder} 不存在",
    "Code": "编号",
    "Name": "名称",
    "Short name": "简称",
    "Type": "类型",
    "Class": "分类",
    "Source": "来源",
    "Status": "状态",
    "Owner": "负责人",
    "Phone": "电话",
    "E-mail": "电子邮箱",
    "Industry": "行业",
    "Tax number": "税号",
    "Website": "网址",
    "First contact": "首次联系",
    "Created": "创建时间",
    "Received at": "接单时间",
    "Device": "设备",
    "Serial number": "序列号",
    "Taken in by": "接机人",
    "Technician": "维修工程师",
    "Charge": "收费",
    "Parts cost": "配件成本",
    "Service tickets": "服务单",
    "Number": "单号",
    "Date": "日期",
    "Amount": "金额",
    "Amount received": "已回款",
    "Outstanding": "未收款",
    "Cost": "成本",
    "Gross margin": "毛利",
    "Orders": "订单",
    "Quotations": "报价单",
    "Awaiting confirmation": "待确认",
    "Valid until": "有效期至",
    # generic
    "{entity} {id} does not exist or you may not see it.": "{entity} {id} 不存在或您无权查看。",
    "{entity} was changed by {user} at {when} after you opened it.":
        "{entity} 在您打开之后已被 {user} 于 {when} 修改。",
    "Another station is saving the same records right now, and this one waited as long as "
    "it may. Nothing was changed; try again in a moment.":
        "另一工作站正在保存相同的记录，本工作站已等待到允许的最长时间。未做任何更改，请稍后重试。",
    "The server took too long to answer and the action was stopped; nothing was changed. "
    "Try again, or narrow the search.":
        "服务器响应时间过长，操作已停止，未做任何更改。请重试，或缩小查询范围。",
    "This was already saved a moment ago (an earlier attempt went through). "
    "Try again to see the saved record.":
        "此记录刚才已保存（之前的一次提交已成功）。请重试以查看已保存的记录。",
    "must be 8 to 64 letters, digits, '_' or '-'": "须为 8 至 64 个字母、数字、“_”或“-”",
    "was already used for another record": "已用于另一条记录",
    "Someone else saved this record at the same time. Reload it and try again.":
        "其他人同时保存了此记录，请重新载入后再试。",
    "The database refused the change: {detail}": "数据库拒绝了此修改：{detail}",
    # sorting and paging a list (app/services/paging.py)
    "This list cannot be sorted by '{key}'.": "此列表不能按“{key}”排序。",
    "is not a position in this list": "不是此列表中的位置",
    # validation
    "is required": "必填",
    "is too long (at most {max} characters)": "太长（最多 {max} 个字符）",
    "is not a valid choice": "不是有效的选项",
    "contains characters that cannot be stored": "包含无法保存的字符",
    "contains characters that cannot be searched for": "包含无法用于搜索的字符",
    "The search text is not text.": "搜索内容不是文本。",
    "The search text is too long (at most {max} characters).": "搜索内容太长（最多 {max} 个字符）。",
    "The search text contains characters that cannot be searched for (control characters or invalid Unicode).":
        "搜索内容包含无法用于搜索的字符（控制字符或无效的 Unicode 字符）。",
    "must be a phone number (digits, spaces, +, -, parentheses)":
        "必须是电话号码（数字、空格、+、-、括号）",
    "must be a valid e-mail address": "必须是有效的电子邮箱地址",
    "must be an active user": "必须是在职用户",
    # opportunity routing and customer reassignment (客户移交)
    "New opportunity: {title}": "新商机：{title}",
    "choose at least one opportunity": "请至少选择一个商机",
    "at most {n} at a time": "一次最多 {n} 个",
    "there is no active salesperson": "没有在职的业务员",
    "No longer waiting in the routing queue: {numbers}. Refresh and try again.":
        "以下商机已不在待分派队列中：{numbers}。请刷新后重试。",
    "may not work on opportunities": "无权处理商机",
    "Customers": "客户",
    "Open opportunities": "未结商机",
    "Open quotations": "未结报价单",
    "Open orders": "未完成订单",
    "Service contracts": "服务合同",
    "Pending follow-ups": "待跟进拜访",
    "Open care items": "待办客户关怀",
    "Open tasks": "未完成工作任务",
    "Service tickets in repair": "维修中的服务单",
    "no user chosen for the customer classes: {classes}": "以下客户分类未指定接收人：{classes}",
    "you cannot deactivate yourself": "不能停用自己的账号",
    "still owns {what}; hand it over first": "仍负责：{what}；请先移交",
    "choose at least one user": "请至少选择一个用户",
    "names the same user twice": "同一用户选了两次",
    "choose a user for each customer class": "请为每个客户分类选择接收人",
    "cannot hand over to the leaving user": "不能移交给离职人员本人",
    "{user} may not work on {module}": "{user} 无权处理{module}",
    "Someone else changed these records at the same time. Reload and try again.":
        "有人同时修改了这些记录，请重新载入后再试。",
    "{what} {ref} handed over from {old} to {new}": "{what} {ref} 由 {old} 移交给 {new}",
    "Handed over from {user}: {count} records": "{user} 的移交：共 {count} 条记录",
    "must be a number": "必须是数字",
    "must not be negative": "不能为负数",
    "must be a whole number, 0 or more": "必须是 0 或更大的整数",
    "has too many decimal places": "小数位过多",
    "is too large": "数值过大",
    "is not a valid date": "不是有效的日期",
    "must be between {low} and {high}": "必须在 {low} 到 {high} 之间",
    "already exists": "已存在",
    "is already registered to {customer}": "已登记在客户“{customer}”名下",
    "is already registered to another customer": "已登记在其他客户名下",
    "must be at least {min} characters": "至少 {min} 个字符",
    # schema
    "The database has no StationCRM tables yet. Ask the administrator to run 'stationcrm db upgrade' on it.":
        "数据库中还没有 StationCRM 的数据表。请系统管理员对其运行“stationcrm db upgrade”。",
    "The database was made for another version of StationCRM (schema {current}, this program needs {head}). Ask the administrator to run 'stationcrm db upgrade', or install the matching program version.":
        "该数据库属于另一版本的 StationCRM（结构版本 {current}，本程序需要 {head}）。"
        "请系统管理员运行“stationcrm db upgrade”，或安装相应版本的程序。",
    # auth
    "Wrong user name or password.": "用户名或密码错误。",
    "Wrong user name or password, or the account may not log in now. After repeated "
    "failures a station must wait (at most {minutes} minutes) before it may try this user "
    "again; an administrator can unlock it sooner.":
        "用户名或密码错误，或该账户目前不能登录。多次失败后，本工作站需等待一段时间"
        "（最多 {minutes} 分钟）才能再次尝试此用户；管理员可以提前解锁。",
    "No user named {name}.": "没有名为 {name} 的用户。",
    # password policy (app/services/passwords.py)
    "must not be one character or a short pattern repeated, such as 11111111":
        "不能是同一个字符或一小段字符的重复，例如 11111111",
    "must not be consecutive digits or letters, such as 12345678":
        "不能是连续的数字或字母，例如 12345678",
    "must not be the same as the user name": "不能与用户名相同",
    "is one of the most common passwords; choose one that is harder to guess":
        "是最常见的密码之一，请换一个不易被猜到的密码",
    "This database is not set up for personal logins yet. The database administrator "
    "runs `stationcrm db security` once after `stationcrm db upgrade`.":
        "此数据库尚未设置为按人登录。请数据库管理员在 `stationcrm db upgrade` 之后运行一次"
        " `stationcrm db security`。",
    "The database login {login} is not a StationCRM user. The database administrator "
    "runs `stationcrm db security` to bring logins in step with the users.":
        "数据库登录名 {login} 不是 StationCRM 用户。请数据库管理员运行 `stationcrm db security`，"
        "使数据库登录与用户保持一致。",
    "Your database login is out of step with your StationCRM role, so the database "
    "would refuse your work. The database administrator runs "
    "`stationcrm db security` to bring it in step.":
        "您的数据库登录与您在 StationCRM 中的角色不一致，数据库会拒绝您的操作。"
        "请数据库管理员运行 `stationcrm db security` 使其一致。",
    "Wrong user name or password. If you are sure of both, your database login may be "
    "missing or disabled: the database administrator runs `stationcrm db security`.":
        "用户名或密码错误。如果您确定两者都正确，可能是您的数据库登录不存在或已停用："
        "请数据库管理员运行 `stationcrm db security`。",
    # entities
    "Customer": "客户",
    "User": "用户",
    "Role": "角色",
    # catalog, quotations, orders, payments (app/services/catalog.py, sales.py, lifecycle.py)
    "Product": "产品",
    "Quotation": "报价单",
    "Order": "订单",
    "Payment": "回款",
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
    "is listed twice": "重复列出",
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
    "An ended contract can no longer be changed.": "已结束的合同不能再修改。",
    "must not be before the start date": "不能早于开始日期",
    "must be devices of this customer": "必须是该客户的设备",
    "Only pending knowledge entries can be approved or rejected.": "只有待审核的知识库条目可以审核或驳回。",
    "Only approved knowledge entries can be used.": "只有已审核的知识库条目可以使用。",
    "Only the author or the repair lead may change this knowledge entry.":
        "只有填写人或维修主管可以修改这条知识库条目。",
    "An approved knowledge entry can no longer be changed.": "已审核的知识库条目不能再修改。",
    "is required for a per-visit contract": "按次合同必须填写",
    "Under contract: labour and parts free": "在保：人工和配件全免",
    "Under contract: labour free, parts charged": "在保：仅人工免费，配件收费",
    "Per visit: this job free": "按次：本次免费",
    "Per visit: {left} of {total} visits left; this job free":
        "按次：剩余 {left} 次（共 {total} 次），本次免费",
    "Included visits used up: {used}/{total}; this job is charged":
        "包含次数已用完：{used}/{total}，本次收费",
    "Service rules": "评分与时限规则",
    "Service ticket": "服务单",
    "No service ticket with number {number}, or you may not see it.":
        "没有单号为 {number} 的服务单，或您无权查看。",
    "is required for an on-site job": "上门服务必须填写",
    "give either an existing device or a new one": "请选择已有设备或填写新设备（二选一）",
    "must be an active technician": "必须是在职的维修工程师",
    "Use dispatch, the repair record or pickup for this step.": "这一步请使用派工、维修记录或取机。",
    "Only the repair lead or the intake may cancel a ticket.": "只有维修主管或接单人可以取消服务单。",
    "Only the assigned technician may record the repair.": "只有被派工的工程师可以填写维修记录。",
    "is more than the open charge of {amount}": "超过了未付费用 {amount}",
    # custom fields (自定义字段)
    "cannot be changed; add a new field instead": "不能修改，请另外添加字段",
    "cannot be changed: records already hold values of this field":
        "不能修改：已有记录填写了这个字段",
    "Custom field": "自定义字段",
    "are not the fields of this record kind": "不是这类记录的字段",
    "must start with a letter and hold only letters, digits and _":
        "必须以字母开头，只能包含字母、数字和下划线",
    "a choice list needs at least one choice": "选项列表至少需要一个选项",
    "has too many choices (at most {max})": "选项太多（最多 {max} 个）",
    "may hold only letters, digits, _ - and .": "只能包含字母、数字和 _ - .",
    "must be yes or no": "必须是“是”或“否”",
    "is not one of the choices": "不是可选的选项",
    "is not a field of this record": "不是这类记录的字段",
    "Record": "记录",
    "Row {row}": "第 {row} 行",
    # management's work queue: confirmation (确认 / 退回) and tasks (工作任务)
    "Repair record": "维修记录",
    "Task": "工作任务",
    "Only the author or management may submit this record.": "只有填写人或管理部可以提交此记录。",
    "Nobody confirms or returns their own record.": "不能确认或退回自己填写的记录。",
    "Select the records to confirm.": "请先选择要确认的记录。",
    "Confirm at most {count} records at a time.": "一次最多确认 {count} 条记录。",
    "The selection names a record that is not in the queue.": "所选记录中有不在确认队列里的记录。",
    "The selection names a record twice.": "所选记录中有重复的记录。",
    "{record} is “{current}”: only submitted records are confirmed or returned.":
        "{record} 当前为“{current}”：只有待确认的记录可以确认或退回。",
    "Only the author or management may change this record.": "只有填写人或管理部可以修改此记录。",
    "{record} is confirmed and can no longer be changed.": "{record} 已确认，不能再修改。",
    "{record} is “{status}” and can no longer be changed.":
        "{record} 当前为“{status}”，不能再修改。",
    "Reopened {date}: {comment}": "{date} 退回重办：{comment}",
    "You may see only your own tasks.": "您只能查看自己的工作任务。",
    "Only the person who assigned this task may change it.": "只有下达此任务的人可以修改它。",
    "This task is assigned to someone else.": "此任务已分派给其他人。",
    "Nobody confirms their own work.": "不能确认自己完成的工作。",
    "must not be in the past": "不能早于今天",
    "choose either a person or a department": "请选择一个人或一个部门（二选一）",
    "is deactivated": "已停用",
    "is outside the people you may assign tasks to": "不在您可以分派任务的范围内",
    "give both the kind and the record": "请同时给出记录类型和记录",
    # customer care (客户关怀, app/services/care.py)
    "Care item": "关怀事项",
    "Care rules": "关怀规则",
    "{entity} was changed by someone else after you opened it.": "{entity} 在您打开之后已被其他人修改。",
    "choose at least one customer class": "请至少选择一个客户分类",
    "must be a date like 2027-02-06, or 01-01 for every year":
        "必须是 2027-02-06 这样的日期，或 01-01（每年）",
    "Care items generated for {date}: {count}": "已生成 {date} 的关怀事项：{count} 项",
    "Follow-up call after pickup: {ticket} ({model})": "取机回访：{ticket}（{model}）",
    "Follow-up call after pickup: {ticket}": "取机回访：{ticket}",
    "Service contract {number} ends on {date}": "服务合同 {number} 将于 {date} 到期",
    "Reorder {product}? Bought about every {days} days, last on {date}":
        "耗材续购：{product}，约每 {days} 天购买一次，上次 {date}",
    "Birthday greeting for {contact} ({date})": "{contact} 生日问候（{date}）",
    "{holiday} greeting for {customer}": "{holiday}问候 {customer}",
    # statistics (统计分析)
    "unknown statistic {name}": "没有名为 {name} 的统计",
    "the period may be at most ten years": "统计期间最长十年",
    "does not name a figure of this statistic": "不是本统计中的数字",
    "must end in .xlsx or .pdf": "文件名须以 .xlsx 或 .pdf 结尾",
    "You may not see costs and margins.": "您无权查看成本和毛利。",
    "You may not see these figures.": "您无权查看这些数字。",
    "export {statistic} {start}–{end}: {rows} rows to {file}":
        "导出{statistic}（{start} 至 {end}）：{rows} 行，写入 {file}",
    # the embedded file: backups, restore, integrity (app/backups.py, bootstrap.py, cli.py)
    "The file {path} does not exist.": "文件 {path} 不存在。",
    "The file {path} is empty (0 bytes); it holds no database.":
        "文件 {path} 是空的（0 字节），其中没有数据库。",
    "The file {path} is damaged or not a database ({problem}); it cannot be used.":
        "文件 {path} 已损坏或不是数据库（{problem}），不能使用。",
    "The file {path} is not a StationCRM database.": "文件 {path} 不是 StationCRM 数据库。",
    "The file {path} was made by another version of StationCRM (schema {revision});"
    " this program cannot use it.":
        "文件 {path} 由其他版本的 StationCRM 创建（数据库结构 {revision}），本程序不能使用。",
    "The file {path} already exists; choose another name.": "文件 {path} 已存在，请换一个文件名。",
    "The backup cannot be written over the database itself.": "备份不能覆盖数据库文件本身。",
    "The backup and the database are the same file.": "备份文件和数据库是同一个文件。",
    "The database could not be replaced ({problem}). Close StationCRM on every"
    " station and try again.":
        "无法替换数据库（{problem}）。请关闭所有站点上的 StationCRM 后重试。",
    "The restored database failed its integrity check: {problem}":
        "恢复后的数据库未通过完整性检查：{problem}",
    "The database file {path} is empty (0 bytes): the data in it is lost."
    " StationCRM will not put demo data in its place. Restore the newest backup"
    " with `stationcrm db restore FILE` (backups are in {folder}), or ask the"
    " administrator.":
        "数据库文件 {path} 是空的（0 字节），其中的数据已丢失。StationCRM 不会用演示数据代替它。"
        "请用 `stationcrm db restore 文件` 恢复最新的备份（备份在 {folder}），或联系系统管理员。",
    "The database file {path} is missing or holds no data, though StationCRM kept"
    " its data there before. StationCRM will not make a new demo database in its"
    " place. If the file was moved, put it back; otherwise restore the newest backup"
    " with `stationcrm db restore FILE` (backups are in {folder}). To start again"
    " with a new demo database on purpose, delete {marker}.":
        "数据库文件 {path} 不存在或没有数据，而 StationCRM 以前的数据保存在这里。"
        "StationCRM 不会在此新建演示数据库。如果文件被移走了，请放回原处；否则请用"
        " `stationcrm db restore 文件` 恢复最新的备份（备份在 {folder}）。"
        "如确实要重新开始使用新的演示数据库，请删除 {marker}。",
    "{path}: {method} ok": "{path}：{method} 正常",
    "The database file {path} is damaged ({method} found {count} problem(s)):":
        "数据库文件 {path} 已损坏（{method} 发现 {count} 个问题）：",
    "Restore the newest backup with `stationcrm db restore FILE` (backups are in"
    " {folder}).": "请用 `stationcrm db restore 文件` 恢复最新的备份（备份在 {folder}）。",
    "{url} is a database server: {doing} is for the embedded SQLite file. Use the"
    " server's own backup, e.g. pg_dump for PostgreSQL or BACKUP DATABASE for SQL"
    " Server.":
        "{url} 是数据库服务器：{doing} 只用于内置的 SQLite 数据库文件。请使用服务器自己的备份，"
        "例如 PostgreSQL 的 pg_dump 或 SQL Server 的 BACKUP DATABASE。",
    "{url} is not a database file.": "{url} 不是数据库文件。",
    "Backup of {database} written to {path} ({size}).":
        "{database} 已备份到 {path}（{size}）。",
    "This replaces the database {database} with the backup {backup} (schema"
    " {revision}, saved {taken:%Y-%m-%d %H:%M}). Close StationCRM on every"
    " station first. The current file is backed up before it is replaced.":
        "将用备份 {backup}（数据库结构 {revision}，保存于 {taken:%Y-%m-%d %H:%M}）替换数据库"
        " {database}。请先关闭所有站点上的 StationCRM。替换前会先备份当前文件。",
    "Type the database file name ({name}) or yes to go on: ":
        "输入数据库文件名（{name}）或“是”继续：",
    "yes": "是",
    "restore cancelled; nothing was changed": "已取消恢复，没有任何改动",
    "{database} restored from {backup} (schema {revision}).":
        "已从 {backup} 恢复 {database}（数据库结构 {revision}）。",
    "The file it replaced is kept as {path}.": "被替换的文件保存为 {path}。",
    "The backup was made by an older StationCRM; the program brings it up to"
    " date when it starts (or run `stationcrm db upgrade`).":
        "该备份由较早版本的 StationCRM 创建；程序启动时会自动升级它（或运行"
        " `stationcrm db upgrade`）。",
    # A save whose answer was lost (app.saving).
    "Not saved, please try again. The connection dropped before the record reached "
    "the server. What you typed is still here.":
        "未保存，请重试。记录到达服务器之前连接已中断。您输入的内容仍在。",
    "The server still does not answer, so it is not known whether the record was "
    "saved. What you typed is still here. Save again once the connection is back: "
    "the record will not be saved twice.":
        "服务器仍未答复，无法确认记录是否已保存。您输入的内容仍在。连接恢复后请再次保存："
        "记录不会重复保存。",
    "The database file {path} is gone, together with its folder and backups, though"
    " StationCRM kept its data there before. StationCRM will not make a new demo"
    " database in its place. Put the folder back, or restore a backup with"
    " `stationcrm db restore FILE`. To start again with a new demo database on"
    " purpose, remove the line naming the file from {list}.":
        "数据库文件 {path} 连同其文件夹和备份都已不见，但 StationCRM 之前在这里保存过数据。"
        "StationCRM 不会用新的演示数据库代替它。请把文件夹放回原处，或用"
        " `stationcrm db restore FILE` 恢复备份。如确实要重新开始使用新的演示数据库，"
        "请从 {list} 中删除写有该文件的那一行。",
    "{database}: {count} search keys (pinyin, name and phone suffixes) built from the names and numbers of customers and products.":
        "{database}：已按客户和产品的名称与电话重建 {count} 个检索键（拼音、名称后缀和电话后缀）。",
    "After this script: stationcrm db search-keys --db <the server's address> (builds the pinyin search keys of existing names).":
        "执行此脚本之后，请运行：stationcrm db search-keys --db <服务器地址>（为已有名称生成拼音检索键）。",
    "{database}: {count} request keys older than {days} days removed.":
        "{database}：已删除 {count} 个超过 {days} 天的请求键。",
    "{database}: {count} change-feed notices older than {days} days removed.":
        "{database}：已删除 {count} 条超过 {days} 天的提醒。",
    "must be at least 1": "至少为 1",
    # Company settings (app.services.company).
    "must be a PNG or JPEG image": "必须是 PNG 或 JPEG 图片",
    "is too large (at most {max} KB)": "太大（最多 {max} KB）",
    "must be between {low} and {high} pixels wide and high":
        "宽度和高度必须在 {low} 到 {high} 像素之间",
    "is not a readable PNG or JPEG image": "不是可读取的 PNG 或 JPEG 图片",
    "may hold only digits and spaces": "只能包含数字和空格",
    "must have {low} to {high} digits": "必须有 {low} 到 {high} 位数字",
    "must be {low} to {high} letters and digits (the unified social credit code has 18)":
        "必须是 {low} 到 {high} 位字母和数字（统一社会信用代码为 18 位）",
    "Only the administrator may change the company settings.": "只有系统管理员可以修改公司信息。",
    "Company settings": "公司信息",
    "(unreadable)": "（无法读取）",
    # A program too old for its database, and where the newer one is (app/update.py).
    "The database was upgraded for StationCRM {needed} (schema {current}). This program is"
    " version {version} and cannot use it: install StationCRM {needed} or newer.":
        "数据库已为 StationCRM {needed} 升级（数据库结构 {current}）。本程序是 {version} 版，"
        "无法使用它：请安装 StationCRM {needed} 或更新的版本。",
    "The update location {location} holds only version {found}; ask the administrator to"
    " put the new installer there.":
        "更新位置 {location} 里只有 {found} 版；请系统管理员把新的安装程序放到那里。",
    "The installer is at {installer}.": "安装程序在 {installer}。",
    "No installer was found at the update location {location}; ask the administrator.":
        "在更新位置 {location} 没有找到安装程序；请联系系统管理员。",
    "Ask the administrator for the installer.": "请向系统管理员索取安装程序。",
    "{database}: no update location any more.": "{database}：已取消更新位置。",
    "{database}: no update location was set.": "{database}：原本就没有设置更新位置。",
    "{database}: stations too old for the database offer the installer from {location}.":
        "{database}：版本过旧的站点将提供 {location} 中的安装程序。",
    "Installer found there now: {installer}": "目前在那里找到的安装程序：{installer}",
    "No StationCRM-<version>-setup.exe is in {location} from this computer; check that the"
    " stations see the folder under the same name.":
        "从本机看，{location} 中没有 StationCRM-<版本>-setup.exe；请确认各站点能以同样的路径"
        "访问该文件夹。",
    # The command line (app/cli.py).
    "{message} (export refused for {user})": "{message}（{user} 的导出被拒绝）",
    "{count} customer(s) written to {out}": "已将 {count} 个客户写入 {out}",
    "{count} order(s) written to {out}": "已将 {count} 张订单写入 {out}",
    "{count} service ticket(s) written to {out}": "已将 {count} 张服务单写入 {out}",
    "{number}: {pages} page(s) written to {out}": "{number}：已将 {pages} 页写入 {out}",
    "{statistic}: {rows} row(s) written to {out}": "{statistic}：已将 {rows} 行写入 {out}",
    "{date}: {count} care item(s) created ({counts})": "{date}：已生成 {count} 项关怀事项（{counts}）",
    "there is no {document} you may print": "没有您可以打印的{document}",
    "a {document} prints on {papers}, not {paper}": "{document}可用纸张为 {papers}，不能用 {paper}",
    "{doing} needs a login: give --user NAME (and --password-stdin to read the password from"
    " standard input)":
        "{doing}需要登录：请用 --user 用户名 指定（加 --password-stdin 则从标准输入读取密码）",
    "printing": "打印",
    "exporting": "导出",
    "a report": "生成报表",
    "--out must name {kinds}": "--out 必须指定{kinds}",
    "a .xlsx or .csv file": "一个 .xlsx 或 .csv 文件",
    "an .xlsx or a .pdf file": "一个 .xlsx 或 .pdf 文件",
    "--from and --to take dates as YYYY-MM-DD": "--from 和 --to 的日期格式为 YYYY-MM-DD",
    "Password: ": "密码：",
    "Repeat password: ": "再次输入密码：",
    "the two passwords differ": "两次输入的密码不一致",
    "user {user} ({role}) created": "已创建用户 {user}（{role}）",
    "user {user}: login unlocked on every station": "用户 {user}：已在所有工作站解除登录锁定",
    "adding a user needs an administrator's login: give --as NAME (the administrator's"
    " password is asked first, or read from the first line of standard input with"
    " --password-stdin)":
        "添加用户需要以系统管理员身份登录：请用 --as 用户名 指定（先询问管理员密码，或加"
        " --password-stdin 从标准输入的第一行读取）",
    "unlocking a user on this server needs an administrator's login: give --as NAME"
    " (or ask the database administrator to reset the person's database login)":
        "在此服务器上解除用户锁定需要以系统管理员身份登录：请用 --as 用户名 指定"
        "（或请数据库管理员重置此人的数据库登录）",
    "the database file {path} does not exist": "数据库文件 {path} 不存在",
    "{database}: schema already at revision {revision}; nothing to do":
        "{database}：数据库结构已是版本 {revision}，无需升级",
    "{database}: schema upgraded from {before} to {after}":
        "{database}：数据库结构已从 {before} 升级到 {after}",
    "(empty)": "（空）",
    "Schema matches the models": "数据库结构与程序一致",
    "Schema differs from the models ({count}):": "数据库结构与程序不一致（{count} 处）：",
    "{size} bytes": "{size} 字节",
    "--sql prints the SQL Server script: give --db mssql+pyodbc://… (PostgreSQL is set up"
    " directly, without --sql)":
        "--sql 输出 SQL Server 脚本：请用 --db mssql+pyodbc://… 指定（PostgreSQL 直接设置，"
        "不用 --sql）",
    "{database}: security set up ({count} statements)": "{database}：已设置安全（{count} 条语句）",
    "group roles: {roles}": "组角色：{roles}",
    "logins: {enabled} enabled, {disabled} disabled": "登录：{enabled} 个启用，{disabled} 个停用",
    "A login made here has no password until the administrator resets the person's password"
    " in Administration → Users; existing logins keep theirs.":
        "在此创建的登录在管理员于“系统管理 → 用户”中重置此人的密码之前没有密码；已有的登录保留原密码。",
    "database logins with the demo password: {count}": "使用演示密码的数据库登录：{count} 个",
    "demo data created in {seconds:.1f} s: {counts}": "演示数据已生成，用时 {seconds:.1f} 秒：{counts}",
    "building {count} customers in {database} …": "正在 {database} 中生成 {count} 个客户……",
    "built in {seconds:.1f} s": "用时 {seconds:.1f} 秒",
    "reusing {database} with {count} customers": "沿用 {database}，其中有 {count} 个客户",
    "database: {kind}, {database}": "数据库：{kind}，{database}",
    "database: {kind}, {database}, as {user}": "数据库：{kind}，{database}，以 {user} 身份",
    "timing {operations} …": "正在计时：{operations}……",
    "timing the actions through a relay that holds each packet {ms} ms each way …":
        "正在经由中继对操作计时，每个数据包每个方向延迟 {ms} 毫秒……",
    "--lan-ms and --as cannot be used together": "--lan-ms 与 --as 不能同时使用",
    "--lan-ms needs a server database (PostgreSQL or SQL Server) given with --db: the"
    " embedded SQLite file is not reached over a network":
        "--lan-ms 需要用 --db 指定服务器数据库（PostgreSQL 或 SQL Server）：内置的 SQLite"
        " 文件不经网络访问",
    "--lan-ms cannot be used with this address: {problem}": "此地址不能使用 --lan-ms：{problem}",
    "results written to {path}": "结果已写入 {path}",
    "must be a number of milliseconds, 0 or more": "必须是不小于 0 的毫秒数",
    "{program} {version} (database schema {revision})": "{program} {version}（数据库结构 {revision}）",
    "unknown database type in the URL ({problem})": "数据库地址中的数据库类型未知（{problem}）",
    "invalid database URL ({problem})": "数据库地址无效（{problem}）",
    "database error: {problem}": "数据库错误：{problem}",
    "interrupted": "已中断",
    # Audit log summaries (app.services.audit.say), rendered in the reader's language.
    "{user} logged in": "{user} 登录",
    "failed login: no user named {name}": "登录失败：没有名为 {name} 的用户",
    "failed login for {user}: account deactivated (password right)":
        "{user} 登录失败：账户已停用（密码正确）",
    "failed login for {user}: account deactivated (password wrong)":
        "{user} 登录失败：账户已停用（密码错误）",
    "failed login for {user} at station {station}: wrong password (#{failures} from this station)":
        "{user} 在工作站“{station}”登录失败：密码错误（本工作站第 {failures} 次）",
    "{user} at station {station} waits until {until} after {failures} failures":
        "{user} 在工作站“{station}”失败 {failures} 次，需等待至 {until}",
    "{user} refused with the right password: station {station} waits until {until}":
        "{user} 密码正确但被拒绝：工作站“{station}”需等待至 {until}",
    "user {user} ({role})": "用户 {user}（{role}）",
    "{user}: password reset": "{user}：密码已重置",
    "{user}: login unlocked": "{user}：登录已解锁",
    "{name} reactivated": "{name} 已重新启用",
    "{name} deactivated": "{name} 已停用",
    "{role} (copy of {source})": "{role}（复制自 {source}）",
    "{role} renamed": "{role} 已改名",
    "{role} permissions": "{role} 的权限",
    "{entity}: fields reordered": "{entity}：字段顺序已调整",
    "{period} {amount} (customer {customer})": "{period} {amount}（客户 {customer}）",
    "export {what}: {rows} rows to {file}": "导出{what}：{rows} 行，写入 {file}",
    "printed {document} {number}": "打印{document} {number}",
    "quotation": "报价单",
    "sales slip": "销售单",
    "intake slip": "接机单",
    "dispatch order": "派工单",
    "pickup receipt": "取机单",
    "payment receipt": "收款收据",
    "{record} is not repaired yet: there is nothing to hand over.":
        "{record} 尚未修好，没有可交付的设备。",
    "{record} is not dispatched yet: a dispatch order prints once a technician is assigned.":
        "{record} 尚未派工：指派维修工程师后才能打印派工单。",
    "phone lookup {phone} by database login {login}":
        "按电话号码 {phone} 查询客户（数据库登录 {login}）",
    "{operation} {table} #{id} outside StationCRM by database login {login}":
        "{operation} {table} #{id}：数据库登录 {login} 在 StationCRM 之外所做",
    # the counter sale and the payments list (app/services/sales/counter.py, payments.py)
    "Please choose a customer": "请选择客户",
    "is more than the order's total of {total}": "超过了订单总额 {total}",
    "Payments": "回款记录",
    "Order / ticket": "订单 / 服务单",
    "Method": "付款方式",
    "Reference": "凭证号",
    "Received by": "收款人",
    # app/services/importing/source.py
    "The file {file} cannot be found.": "找不到文件 {file}。",
    "The file {file} cannot be opened: {reason}": "无法打开文件 {file}：{reason}",
    "it is a folder, not a file": "这是一个文件夹，不是文件",
    "{file} cannot be imported: only Excel workbooks (.xlsx, .xlsm, .xls) and CSV files (.csv, .txt) are read.":
        "无法导入 {file}：只能读取 Excel 工作簿（.xlsx、.xlsm、.xls）和 CSV 文件（.csv、.txt）。",
    "{file} is empty (0 bytes): there is nothing to import.": "{file} 是空文件（0 字节），没有可导入的内容。",
    "{file} is {size} MB, more than the {limit} MB that can be imported at once. Split the sheet into several files and import them one after another.":
        "{file} 大小为 {size} MB，超过了单次导入的上限 {limit} MB。请把表格拆分成几个文件，逐个导入。",
    "{file} is protected by a password. Open it in Excel, remove the password (File → Info → Protect Workbook) and save it again.":
        "{file} 设有打开密码。请在 Excel 中打开它，取消密码（文件 → 信息 → 保护工作簿）后重新保存。",
    "{file} cannot be read as an Excel workbook: {reason}": "无法将 {file} 作为 Excel 工作簿读取：{reason}",
    "{file} cannot be read as a CSV file: {reason}": "无法将 {file} 作为 CSV 文件读取：{reason}",
    "{file} cannot be read as text: it is neither UTF-8 nor GBK. Save it from Excel again as \"CSV UTF-8\".":
        "无法将 {file} 作为文本读取：它既不是 UTF-8 编码，也不是 GBK 编码。请在 Excel 中将它另存为“CSV UTF-8”。",
    "There is no sheet named '{sheet}' in {file}.": "{file} 中没有名为“{sheet}”的工作表。",
    "The sheet is empty: there is no row to read.": "工作表是空的：没有可读取的行。",
    "The sheet '{sheet}' is empty: there is no row to read.": "工作表“{sheet}”是空的：没有可读取的行。",
    "The header row cannot be found: none of the first {look} rows holds at least two column names.":
        "找不到标题行：前 {look} 行中没有一行包含至少两个列名。",
    # app/services/importing/customers.py and `stationcrm import`
    'import {batch}: {created} created, {updated} updated, {skip} skipped, {refused} row(s) not imported (undo: stationcrm import undo {batch})': '导入 {batch}：新建 {created} 个，更新 {updated} 个，跳过 {skip} 个，{refused} 行未导入（撤销：stationcrm import undo {batch}）',
    'import {batch} undone: {undone} record(s) removed or restored, {kept} kept': '导入 {batch} 已撤销：删除或还原 {undone} 条记录，保留 {kept} 条',
    '--errors must name an .xlsx file': '--errors 必须是 .xlsx 文件',
    'the mapping {file} must be a JSON object of column: field': '对照表 {file} 必须是“列: 字段”形式的 JSON 对象',
    'kept {record}: {reason}': '保留 {record}：{reason}',
    'will create': '将新建',
    'rows not imported, with their errors: {out}': '未导入的行及其错误：{out}',
    'dry run, nothing written: {rows} row(s) read; {create} to create, {update} to update, {merge} added to a customer above, {skip} skipped, {error} with errors': '试运行，未写入任何数据：读取 {rows} 行；将新建 {create} 个，更新 {update} 个，并入上方客户 {merge} 个，跳过 {skip} 个，有错误 {error} 个',
    '  {done}/{total} customers written': '  已写入 {done}/{total} 个客户',
    'row {row}: {said}': '第 {row} 行：{said}',
    'cannot read the mapping {file}: {reason}': '无法读取对照表 {file}：{reason}',
    'importing': '导入',
    'import undo takes the number of an import, e.g. 7': 'import undo 需要导入批次的编号，例如 7',
    'the mapping names a column the sheet does not have: {column}': '对照表中的列在表格里不存在：{column}',
    'will create (like {code} {name}: {why})': '将新建（与 {code} {name} 相似：{why}）',
    'error: {reason}': '错误：{reason}',
    'will create (like row {row}: {why})': '将新建（与第 {row} 行相似：{why}）',
    'will update {code} {name} ({why})': '将更新 {code} {name}（{why}）',
    'duplicate of {code} {name} ({why}): skipped': '与 {code} {name} 重复（{why}）：跳过',
    'no column is mapped to the customer name': '没有一列对应到客户名称',
    'same customer as row {row} ({why}): added to it': '与第 {row} 行是同一客户（{why}）：并入该客户',
    'duplicate of row {row} ({why}): skipped': '与第 {row} 行重复（{why}）：跳过',
    'Importing customers needs permission to create, change and delete customers and to see every customer; ask management.': '导入客户需要新建、修改和删除客户以及查看全部客户的权限，请联系管理层。',
    'is mapped to column {column}, but the sheet has {count} columns': '对应到第 {column} 列，但表格只有 {count} 列',
    '{code} {name} was deleted after the dry run.': '{code} {name} 在试运行之后已被删除。',
    '{code} {name} was changed by {user} after the dry run: run the dry run again.': '{code} {name} 在试运行之后被 {user} 修改过，请重新试运行。',
    'changed by {user} since the import': '导入之后被 {user} 修改过',
    'same phone': '电话相同',
    'same name': '名称相同',
    'same name without city and company type': '去掉城市和公司类型后名称相同',
    'same pinyin': '拼音相同',
    'must be one of fill, skip, overwrite, create (not {value})': '必须是 fill、skip、overwrite 或 create 之一（而不是 {value}）',
    'is not a field this import knows': '不是本次导入能识别的字段',
    'There is no such import.': '没有这个导入批次。',
    'used since the import ({records})': '导入之后已被使用（{records}）',
    'The file has no sheet named {sheet}.': '文件中没有名为 {sheet} 的工作表。',
    'is mapped to two columns ({first} and {second})': '对应到了两列（{first} 和 {second}）',
    '{text} is not one of: {choices}': '“{text}”不在可选值中：{choices}',
    '{text} is not an active user': '“{text}”不是在用的用户',
    'This import was undone already.': '这次导入已经撤销过了。',
    'This import is still running: undo it once it has ended.': '这次导入还在进行中，结束后才能撤销。',
    'Rows not imported': '未导入的行',
    'holds a formula ({formula}): save the sheet with values (copy, paste values) and import it again': '是公式（{formula}）：请把表格另存为数值（复制后选择性粘贴为数值）再导入',
    '{text} is not a mobile number (11 digits starting with 1)': '“{text}”不是手机号码（应为以 1 开头的 11 位数字）',
    '{text} is too short for a phone number': '“{text}”太短，不是电话号码',
    'is not a date: {text} (write it as 2024-03-05)': '不是日期：{text}（请写成 2024-03-05）',
    'is not a number: {text}': '不是数字：{text}',
    '{text} is not one of the choices': '“{text}”不在选项中',
    'the customer name is empty': '客户名称为空',
    'Error': '错误',
    'Customer name': '客户名称',
    'Kind': '类型',
    'Notes': '备注',
    'Contact name': '联系人姓名',
    'Contact title': '联系人职务',
    'Contact phone': '联系人电话',
    'Contact mobile': '联系人手机',
    'Contact e-mail': '联系人邮箱',
    'Address': '地址',
    'City': '城市',
    'District': '区县',
    'an order': '订单',
    'a quotation': '报价单',
    'a visit record': '拜访记录',
    'an opportunity': '商机',
    'a payment received': '回款',
    'a service ticket': '服务单',
    'a service contract': '服务合同',
    'a device': '设备',
    'a task': '工作任务',
    'customer care': '客户关怀',
    'a sales plan': '销售计划',
    'imported {file}: {created} created, {updated} updated': '导入 {file}：新建 {created} 个，更新 {updated} 个',
    'undid the import of {file}: {undone} undone, {kept} kept': '撤销了 {file} 的导入：撤销 {undone} 条，保留 {kept} 条',
    # app/services/merging.py
    "is the card to keep: choose another customer to merge into it":
        "是要保留的档案：请选择另一个客户合并进来",
    "Merging customers needs the right to edit and delete customers, for every customer"
    " (data scope: all).": "合并客户需要编辑和删除客户的权限，且数据范围为全部客户。",
    "Merging customers moves their phone numbers, which your role may not see or change.":
        "合并客户会转移其电话号码，而您的角色无权查看或修改电话号码。",
    "is not a field of the customer card": "不是客户档案的字段",
    "must be 'keep' or 'absorbed'": "必须是“keep”（保留）或“absorbed”（被合并）",
    "Both customers have a sales plan of {owner} for {period}: change or delete one of them,"
    " then merge.": "两个客户都有 {owner} {period} 的销售计划：请先修改或删除其中一个，再合并。",
    "{code} {name}: merged {absorbed_code} {absorbed_name} into it":
        "{code} {name}：已将 {absorbed_code} {absorbed_name} 合并到此客户",
    "{code} {name}: merged into {kept_code} {kept_name}":
        "{code} {name}：已合并到 {kept_code} {kept_name}",
    "Contacts": "联系人",
    "Addresses": "地址",
    "Devices": "设备",
    "Visits": "接待/拜访记录",
    "Sales plans": "销售计划",
    "Opportunities": "商机",
    "Payments received": "回款",
    "Tasks": "工作任务",
    "Customer care items": "客户关怀事项",
    "Former customer numbers": "原客户编号",
    # app/services/importing/devices.py and `stationcrm import devices`
    'import {batch}: {created} machine(s) added, {updated} updated, {skip} skipped, {refused} row(s) not imported (undo: stationcrm import undo {batch})': '导入 {batch}：新增设备 {created} 台，更新 {updated} 台，跳过 {skip} 台，{refused} 行未导入（撤销：stationcrm import undo {batch}）',
    "a machine's serial number is registered once: --on-match for devices is fill, skip or overwrite": '同一序列号的设备只能登记一次：设备导入的 --on-match 只能是 fill、skip 或 overwrite',
    'dry run, nothing written: {rows} row(s) read; {create} machine(s) to add, {update} to update, {skip} skipped, {error} with errors': '试运行，未写入任何数据：读取 {rows} 行；将新增设备 {create} 台，更新 {update} 台，跳过 {skip} 台，有错误 {error} 行',
    'the machine {serial} was changed after the dry run: run the dry run again.': '设备 {serial} 在试运行之后被修改过，请重新试运行。',
    'will update the machine registered on {customer}': '将更新登记在 {customer} 名下的设备',
    'no column is mapped to the {field}': '没有一列对应到{field}',
    'the same model and serial number as row {row}': '型号和序列号与第 {row} 行相同',
    'already registered on {customer}: skipped': '已登记在 {customer} 名下：跳过',
    'will add to {customer}': '将添加到 {customer}',
    '{number} is not a service contract of this customer': '{number} 不是该客户的服务合同',
    '{count} customers are named {name}: give the customer number instead': '有 {count} 个客户名为 {name}：请改填客户编号',
    'no customer {name}: import the customers first': '没有客户 {name}：请先导入客户',
    'registered on another customer, {customer}': '已登记在另一个客户 {customer} 名下',
    'Brand': '品牌',
    'Model': '型号',
    'Installed on': '安装日期',
    'Location': '位置',
    'Contract': '合同',
    # app/services/importing/history.py (导入记录)
    "Running": "运行中",
    "Done": "已完成",
    "Cancelled": "已取消",
    "Undone": "已撤销",
    "Partly undone": "部分撤销",
    "Interrupted": "已中断",
    "Products": "产品",
    "Opening receivables": "期初应收",
    "Contact": "联系人",
    "Opening balance": "期初应收款",
    "Machine under contract": "合同内设备",
    "Only an import still marked as running can be marked as interrupted; this one is {status}.":
        "只有仍标记为“运行中”的导入才能标记为已中断；这次导入的状态是“{status}”。",
    "This import last wrote at {time} and may still be running on its station: it can be"
    " marked as interrupted once nothing has been written for {minutes} minutes.":
        "这次导入最后一次写入是在 {time}，可能仍在其工作站上进行：{minutes} 分钟内没有任何写入后"
        "才能标记为已中断。",
    "marked the import of {file} as interrupted: {created} created, {updated} updated":
        "将 {file} 的导入标记为已中断：新建 {created} 个，更新 {updated} 个",
    # app/services/importing/products.py and `stationcrm import products`
    'SKU': '产品编码',
    'Product name': '产品名称',
    'Category': '类别',
    'Unit': '单位',
    'Cost price': '成本价',
    'List price': '销售价',
    'Sales points': '销售点数',
    'In the catalog (active)': '在售（启用）',
    'Importing products needs permission to create and change products; ask management.': '导入产品需要新建和修改产品的权限，请联系管理层。',
    'You may not set the cost price, and column {column} of the sheet is mapped to it: leave that column out of the import, or ask management.': '您无权设置成本价，而表格的第 {column} 列对应到了成本价：请不要导入这一列，或联系管理层。',
    'a SKU belongs to one product: --on-match for products is fill, skip or overwrite': '一个产品编码只属于一个产品：产品导入的 --on-match 只能是 fill、skip 或 overwrite',
    'a SKU belongs to one product: a row whose SKU is in the catalog can fill, skip or overwrite that product, not create a second one': '一个产品编码只属于一个产品：产品编码已在目录中的行可以补充、跳过或覆盖该产品，但不能再新建一个',
    'dry run, nothing written: {rows} row(s) read; {create} product(s) to add, {update} to update, {skip} skipped, {error} with errors': '试运行，未写入任何数据：读取 {rows} 行；将新增产品 {create} 个，更新 {update} 个，跳过 {skip} 个，有错误 {error} 行',
    'import {batch}: {created} product(s) added, {updated} updated, {unchanged} already as in the sheet, {skip} skipped, {refused} row(s) not imported (undo: stationcrm import undo {batch})': '导入 {batch}：新增产品 {created} 个，更新 {updated} 个，{unchanged} 个已与表格一致，跳过 {skip} 个，{refused} 行未导入（撤销：stationcrm import undo {batch}）',
    'must be one of fill, skip, overwrite (not {value})': '必须是 fill、skip 或 overwrite 之一（而不是 {value}）',
    'the same SKU as row {row}': '产品编码与第 {row} 行相同',
    'will fill the empty fields of {product}': '将补充 {product} 的空白字段',
    'will overwrite {product}': '将覆盖 {product}',
    '{product} is in the catalog already: skipped': '{product} 已在产品目录中：跳过',
    '{product} was changed after the dry run: run the dry run again.': '{product} 在试运行之后被修改过，请重新试运行。',
    '{product} was deleted after the dry run.': '{product} 在试运行之后已被删除。',
    '{sku} was added to the catalog after the dry run: run the dry run again.': '产品编码 {sku} 在试运行之后已被他人加入目录，请重新试运行。',
    '{text} is neither yes nor no (write 是 or 否)': '“{text}”既不是“是”也不是“否”（请填写 是 或 否）',
    # app/services/importing/receivables.py and `stationcrm import receivables`
    'the opening balance {number} was changed after the dry run: run the dry run again.': '期初应收 {number} 在试运行之后被修改过：请重新试运行。',
    'is negative: money the customer paid ahead is not a receivable; record it as a payment received': '是负数：客户预付的款项不是应收款，请把它登记为回款',
    'the same debt as row {row}': '与第 {row} 行是同一笔欠款',
    'will update the opening balance {number} of {customer}': '将更新 {customer} 的期初应收 {number}',
    'no active user is called {name}': '没有名为 {name} 的在用账户',
    '{number} has been paid in part since: change it on the order': '{number} 之后已部分回款：请在订单上修改',
    'is longer than {count} characters': '超过 {count} 个字符',
    'will add {amount} owed by {customer}': '将新增 {customer} 欠款 {amount}',
    '{message}: {text}': '{message}：{text}',
    'nothing owed: skipped': '没有欠款：跳过',
    'already imported as {number}: skipped': '已导入为 {number}：跳过',
    'import {batch}: {created} opening balance(s) added, {updated} updated, {skip} skipped, {refused} row(s) not imported (undo: stationcrm import undo {batch})': '导入 {batch}：新增期初应收 {created} 笔，更新 {updated} 笔，跳过 {skip} 行，{refused} 行未导入（撤销：stationcrm import undo {batch}）',
    'dry run, nothing written: {rows} row(s) read; {create} opening balance(s) to add ({total} in all), {update} to update, {skip} skipped, {error} with errors': '试运行，未写入任何数据：读取 {rows} 行；将新增期初应收 {create} 笔（合计 {total}），更新 {update} 笔，跳过 {skip} 行，{error} 行有错误',
    'Amount owed': '欠款金额',
    'Due date': '到期日',
    'Old number': '原单号',
    'Salesperson': '业务员',
    "This import was marked {status} meanwhile (from the list of past imports): nothing more is written.":
        "这次导入已在此期间（从导入记录中）被标记为“{status}”：不再写入任何数据。",
    "Delivery address": "送货地址",
    "Billing address": "开票地址",
    "Contact {field}": "联系人{field}",
    "  {done}/{total} rows written": "  已写入 {done}/{total} 行",
    "--import-customers needs a number of customers above 0": "--import-customers 需要大于 0 的客户数",
    "importing {count} customers ({rows} rows) into {database} as {user} …":
        "以 {user} 的身份把 {count} 个客户（{rows} 行）导入 {database} …",
    "Cards of others' customers": "他人客户档案数",
    "Cards opened": "打开档案数",
    "Choose at most {days} days.": "最多选择 {days} 天。",
    "Customer base protection rules": "客户资源安全规则",
    "Customer base protection": "客户资源安全",
    "Customers exported": "导出客户数",
    "Customers listed": "列出客户数",
    "Day": "日期",
    "Documents printed": "打印单据数",
    "Enter a factor from 1 to 100.": "请输入 1 到 100 之间的倍数。",
    "Enter a number of weeks from 1 to 52.": "请输入 1 到 52 之间的周数。",
    "Enter a time of day.": "请输入一天中的时刻。",
    "Enter a whole number from 0 to 1 000 000.": "请输入 0 到 1 000 000 之间的整数。",
    "Office hours must end after they start.": "下班时间必须晚于上班时间。",
    "Save the report as an .xlsx file.": "请将报表保存为 .xlsx 文件。",
    "The end date is before the start date.": "结束日期早于开始日期。",
    "The folder {folder} does not exist.": "文件夹 {folder} 不存在。",
    "This person does not exist (any more).": "此人员不存在（或已被删除）。",
    "Usual": "平时",
    "Why": "原因",
    "customer base protection alerts exported: {rows} rows to {file}": "导出客户资源安全预警：{rows} 行，文件 {file}",
    "customer base protection alerts viewed for {start} to {end}": "查看客户资源安全预警（{start} 至 {end}）",
    "customer base protection rules changed": "修改客户资源安全规则",
    "customer base protection viewed for {start} to {end}": "查看客户资源安全（{start} 至 {end}）",
    "notice of {name} entered": "登记 {name} 提出离职",
    "read trail of {name} on {day} viewed": "查看 {name} 在 {day} 的客户查阅记录",
    "Opened {cards} customer cards; usually {usual}": "打开客户档案 {cards} 个，平时 {usual} 个",
    "Listed {listed} customers; usually {usual}": "列出客户 {listed} 个，平时 {usual} 个",
    "Opened {outside} cards of others' customers; usually {usual}": "打开他人客户档案 {outside} 个，平时 {usual} 个",
    "Searched {run} letters in alphabetical order": "按字母顺序连续搜索 {run} 次",
    "Opened {run} cards one after another in list order": "按列表顺序连续打开 {run} 个档案",
    "Exported or printed outside office hours ({times})": "下班时间导出或打印（{times}）",
    "Opened {cards} cards after giving notice on {notice}; usually {usual}": "{notice} 提出离职后打开档案 {cards} 个，平时 {usual} 个",
    "Staff": "员工",
    "an .xlsx file": "一个 .xlsx 文件",
    "--guard-people needs a number of people above 0": "--guard-people 需要大于 0 的人数",
    "--guard-people cannot be used with --lan-ms or --as": "--guard-people 不能与 --lan-ms 或 --as 同时使用",
    "this database has no demo users: bench readers are only added to a database made by demo-data or bench": "此数据库没有演示用户：测试查阅人只添加到 demo-data 或 bench 生成的数据库",
    "{people} people read from {start} to {last}: no bench readers added": "{start} 至 {last} 有 {people} 人查阅：未添加测试查阅人",
    "the role {role} or the department {department} is missing": "缺少角色 {role} 或部门 {department}",
    "{count} bench readers added ({names}), {rows} reads from {start} to {last}: {people} people read": "已添加 {count} 名测试查阅人（{names}），{start} 至 {last} 查阅记录 {rows} 条：共 {people} 人查阅",
    "timing the customer base protection: {people} people, {rows} reads in the trail …": "正在计时客户资源安全：{people} 人，查阅记录 {rows} 条……",
    "This alert does not exist (any more).": "该提醒不存在（可能已被删除）。",
    "customer base protection alert kept for {name} on {day}":
        "已记录 {name} {day} 的客户资源安全提醒",
    "customer base protection alert for {name} on {day} has a new reason":
        "{name} {day} 的客户资源安全提醒出现新的原因",
    "customer base protection alert for {name} on {day} handled":
        "{name} {day} 的客户资源安全提醒已处理",
    "An alert about your own reads is for someone else with customer base protection to handle.":
        "关于您本人查阅情况的提醒须由其他有客户资源安全权限的人处理。",
    'started importing {file}: {rows} rows': '开始导入 {file}：共 {rows} 行',
}

# Labels of codes (app.labels), one table per family: the same English word may read
# differently in two families ("Lost": 流失 / 已丢单). The interface shows these words too.
# The statistics' words have families of their own for the same reason (StatisticWords,
# StatisticRecords: app.services.statistics).
LABELS_ZH: dict[str, dict[str, str]] = {
    "Module": {
        "Customers": "客户",
        "Visits": "接待/拜访记录",
        "Sales plans": "销售计划",
        "Opportunities": "商机",
        "Product catalog": "产品目录",
        "Quotations": "报价单",
        "Orders": "订单",
        "Payments received": "回款",
        "Service contracts": "服务合同",
        "Service tickets": "服务单",
        "Knowledge base": "知识库",
        "Tasks": "工作任务",
        "Customer care": "客户关怀",
        "Statistics": "统计分析",
        "Administration": "系统管理",
        "Customer base protection": "客户资源安全",
    },
    "Operation": {
        "View": "查看",
        "Create": "新建",
        "Edit": "修改",
        "Delete": "删除",
        "Confirm": "确认",
        "Print": "打印",
        "Export": "导出",
    },
    "DataScope": {
        "Own": "本人",
        "Own department": "本部门",
        "All": "全部",
    },
    "FieldAccess": {
        "Hidden": "隐藏",
        "Read-only": "只读",
        "Visible": "可见",
    },
    "StationCode": {
        "Storefront / dealers": "门市/经销商",
        "Key accounts": "大客户部",
        "Repair department": "维修部",
        "Management department": "管理部",
        "Manager's office": "经理办",
        "No station": "未选站点",
    },
    "CustomerKind": {
        "Company": "单位",
        "Person": "个人",
    },
    "CustomerSource": {
        "Walk-in": "到店",
        "Phone": "来电",
        "Referral": "转介绍",
        "Visit": "拜访",
        "Web": "网络",
        "Dealer": "经销商",
        "Service re-need": "服务商机",
    },
    "CustomerClass": {
        "Class A": "A类",
        "Class B": "B类",
        "Class C": "C类",
        "Key account": "大客户",
        "Dealer": "经销商",
        "Retail": "零售",
    },
    "CustomerStatus": {
        "Prospect": "潜在客户",
        "Active": "活跃",
        "Dormant": "休眠",
        "Lost": "流失",
    },
    "AddressKind": {
        "Office": "办公地址",
        "Billing": "开票地址",
        "Delivery": "送货地址",
        "Site": "安装地点",
    },
    "DeviceStatus": {
        "In use": "使用中",
        "In repair": "维修中",
        "Retired": "已停用",
    },
    "ProductCategory": {
        "Printer": "打印机",
        "Consumable": "耗材",
        "Computer": "电脑",
        "Part": "配件",
        "Service": "服务",
    },
    "VisitKind": {
        "Walk-in": "到店",
        "Phone call": "来电",
        "Visit": "拜访",
    },
    "ConfirmStatus": {
        "Draft": "草稿",
        "Submitted": "待确认",
        "Confirmed": "已确认",
        "Returned": "已退回",
    },
    "PlanPeriod": {
        "By month": "按月",
        "By quarter": "按季度",
    },
    "OpportunityStage": {
        "New": "新商机",
        "Qualified": "需求确认",
        "Proposal": "方案报价",
        "Negotiation": "商务谈判",
        "Won": "已成交",
        "Lost": "已丢单",
    },
    "QuotationStatus": {
        "Draft": "草稿",
        "Sent": "已发送",
        "Accepted": "已接受",
        "Rejected": "已拒绝",
        "Expired": "已过期",
        "Converted to order": "已转订单",
    },
    "OrderStatus": {
        "Draft": "草稿",
        "Confirmed": "已确认",
        "Delivered": "已送货",
        "Completed": "已完成",
        "Cancelled": "已取消",
    },
    "PaymentMethod": {
        "Cash": "现金",
        "Bank transfer": "银行转账",
        "WeChat Pay": "微信支付",
        "Alipay": "支付宝",
        "Cheque": "支票",
    },
    "ContractKind": {
        "Full service": "全保",
        "Labour only": "半保（只含人工）",
        "Per visit": "按次服务",
    },
    "ContractStatus": {
        "Draft": "草稿",
        "Active": "生效中",
        "Expired": "已到期",
        "Terminated": "已终止",
        "Renewed": "已续签",
    },
    "TicketChannel": {
        "Walk-in": "到店送修",
        "Phone call": "电话报修",
        "On-site request": "上门请求",
    },
    "ServiceMode": {
        "Bring-in": "送修",
        "On-site": "上门",
    },
    "Priority": {
        "Low priority": "低优先级",
        "Normal priority": "普通优先级",
        "High priority": "高优先级",
        "Urgent": "紧急",
    },
    "TicketStatus": {
        "Received": "已接机",
        "Dispatched": "已派工",
        "In repair": "维修中",
        "Waiting for parts": "等待配件",
        "Repaired": "已修复",
        "Picked up": "已取机",
        "Closed": "已关闭",
        "Cancelled": "已取消",
    },
    "KnowledgeStatus": {
        "Draft": "草稿",
        "Pending approval": "待审核",
        "Approved": "已审核",
        "Returned": "已退回",
    },
    "TaskStatus": {
        "Open": "待办",
        "Acknowledged": "已接收",
        "Reported done": "已报完成",
        "Confirmed": "已确认",
        "Returned": "已退回",
        "Cancelled": "已取消",
    },
    "CareKind": {
        "Follow-up": "跟进回访",
        "Contract expiry": "合同到期",
        "Reorder": "再次订货",
        "Birthday": "生日问候",
        "Holiday": "节日问候",
        "Other": "其他",
    },
    "CareStatus": {
        "Open": "待办",
        "Done": "已完成",
        "Skipped": "已跳过",
    },
    "CustomFieldEntity": {
        "Customers": "客户",
        "Contacts": "联系人",
        "Devices": "设备",
        "Visits": "接待/拜访记录",
        "Orders": "订单",
        "Service tickets": "服务单",
        "Customer care": "客户关怀",
    },
    "CustomFieldKind": {
        "Text": "文本",
        "Multi-line text": "多行文本",
        "Number": "数字",
        "Money": "金额",
        "Date": "日期",
        "Choice list (one)": "选项列表（单选）",
        "Choice list (several)": "选项列表（多选）",
        "Yes/no": "是/否",
    },
    "AuditAction": {
        "Created": "新建",
        "Changed": "修改",
        "Deleted": "删除",
        "Logged in": "登录",
        "Failed login": "登录失败",
        "Account locked": "账户锁定",
        "Exported": "导出",
        "Handed over": "移交",
        "Confirmed": "确认",
        "Returned": "退回",
        "Status changed": "状态变更",
        "Printed": "打印",
        "Changed outside StationCRM": "在 StationCRM 之外修改",
        "Phone number looked up": "按电话号码查询",
        "Imported": "导入",
        "Read trail viewed": "查看客户查阅记录",
    },
    "ReadAction": {
        "Opened card": "打开档案",
        "Opened 360 view": "打开360视图",
        "Listed customers": "列出客户",
        "Exported customers": "导出客户",
        "Printed": "打印",
    },
    "QuotationAction": {
        "Mark as sent": "标记为已发送",
        "Accepted by customer": "客户已接受",
        "Rejected by customer": "客户已拒绝",
        "Mark as expired": "标记为已过期",
    },
    "OrderAction": {
        "Confirm order": "确认订单",
        "Mark as delivered": "标记为已送货",
        "Mark as completed": "标记为已完成",
        "Cancel order": "取消订单",
    },
    "OpportunityAction": {
        "Qualified": "需求确认",
        "Proposal sent": "方案报价",
        "In negotiation": "商务谈判",
        "Won": "已成交",
        "Lost…": "已丢单…",
    },
    "TicketAction": {
        "Start repair": "开始维修",
        "Waiting for parts": "等待配件",
        "Close ticket": "关闭服务单",
        "Cancel ticket": "取消服务单",
    },
    "RecordKind": {
        "Customer": "客户",
        "Device": "设备",
        "Visit": "接待/拜访记录",
        "Opportunity": "商机",
        "Product": "产品",
        "Quotation": "报价单",
        "Order": "订单",
        "Payment": "回款",
        "Service contract": "服务合同",
        "Service ticket": "服务单",
        "Repair record": "维修记录",
        "Repair": "维修记录",
        "Knowledge entry": "知识库条目",
        "Sales plan": "销售计划",
        "Task": "工作任务",
        "Customer care": "客户关怀",
        "Care item": "关怀事项",
        "Change": "修改记录",
        "User account": "用户账户",
        "Role": "角色",
        "Department": "部门",
        "Custom field": "自定义字段",
        "Setting": "设置",
        "Statistic": "统计报表",
        "Import": "导入批次",
        "Customer base protection alert": "客户资源安全提醒",
    },
    "CareChannel": {
        "Phone": "电话",
        "Visit": "上门",
        "WeChat": "微信",
        "SMS": "短信",
        "E-mail": "邮件",
    },
    "DuplicateReason": {
        "same phone": "电话相同",
        "same name": "名称相同",
        "sounds the same": "读音相同",
        "similar name": "名称相似",
    },
    "FeedEvent": {
        "{what} {number} was assigned to you": "{what} {number} 已分派给您",
        "{what} {number} was assigned to your department": "{what} {number} 已分派给您的部门",
        "{what} {number} was returned to you": "{what} {number} 已退回给您",
        "{what} {number} waits for confirmation": "{what} {number} 等待确认",
        "{what} {number} was reported done": "{what} {number} 已报告完成",
        "{what} {number} was dispatched to you": "{what} {number} 已派工给您",
        "{what} {number} waits to be dispatched": "{what} {number} 等待派工",
        "{what} {number} waits to be passed to a salesperson": "{what} {number} 等待分派给业务员",
        "{what} {number} was handed over to you": "{what} {number} 已移交给您",
        "{what} {absorbed} was merged into {number}: its records are there now":
            "{what} {absorbed} 已合并到 {number}：其记录现都在那里",
        "{what} {number} is due on {day}": "{what} {number} 应于 {day} 办理",
        "{what} {number} expires on {day}": "{what} {number} 将于 {day} 到期",
        "{what}: what {person} read on {day} needs a look": "{what}：{person} {day} 的客户查阅情况需要留意",
    },
    "PaperSize": {
        "A4 (210 × 297 mm)": "A4（210×297 毫米）",
        "A5 (148 × 210 mm)": "A5（148×210 毫米）",
        "Continuous 241 × 93 mm (thirds)": "连续纸 241×93 毫米（三等分）",
        "Continuous 241 × 140 mm (halves)": "连续纸 241×140 毫米（二等分）",
    },
    "JobType": {
        "Bench repair": "送修维修",
        "On-site repair": "上门维修",
        "Maintenance": "保养",
        "Installation": "安装",
    },
    "Statistic": {
        "Customer classes": "客户分类统计",
        "Product sales": "产品销售统计",
        "Sales and collections": "销售与回款分析",
        "Customer service": "客户服务统计",
        "Sales forecast": "销售预测",
        "Staff assessment": "员工考核",
    },
    "StatisticWords": {
        # titles
        "Customer classification statistics": "客户分类统计",
        "New and lost customers per month": "每月新增与流失客户",
        "Product sales by category": "产品销售分类统计",
        "Sales and collections analysis": "销售回款统计分析",
        "Receivables aging on {date}": "应收账龄（截至 {date}）",
        "Top {count} debtors": "欠款最多的{count}位客户",
        "Customer service statistics": "客户服务统计",
        "Repeat faults (same device back within 30 days)": "重复故障（同一设备30天内返修）",
        "Sales forecast": "销售预测",
        "Staff assessment: margin by order date": "员工考核：按订单日期计销售毛利",
        "Staff assessment: margin by payments collected": "员工考核：按回款计销售毛利",
        "Staff assessment: service score": "员工考核：服务分值",
        # a figure the reader's role may not see (in its cells, and above the table)
        "No permission to view": "无权查看",
        "{figure}: no permission to view": "{figure}：无权查看",
        # column headings
        "Group": "分组",
        "Customers": "客户数",
        "New in period": "新增客户",
        "Buying customers": "成交客户",
        "Orders": "订单数",
        "Revenue": "销售额",
        "Revenue share": "销售额占比",
        "Month": "月份",
        "New customers": "新增客户",
        "Lost customers": "流失客户",
        "Quantity": "数量",
        "Cost": "成本",
        "Gross margin": "毛利",
        "Margin %": "毛利率",
        "Salesperson": "业务员",
        "Order amount": "订单金额",
        "Payments": "回款笔数",
        "Collected": "回款金额",
        "Collected / ordered": "回款率",
        "Age": "账龄",
        "Open orders": "未结订单",
        "Receivable": "应收款",
        "Customer": "客户",
        "Technician": "维修工程师",
        "Device model": "设备型号",
        "Tickets received": "接单数",
        "Completed": "完成数",
        "Average turnaround (hours)": "平均周转（小时）",
        "With a decided SLA": "计时限单数",
        "Within SLA": "按时完成",
        "SLA hit rate": "时限达成率",
        "Back within 30 days": "30天内返修",
        "Open opportunities": "在谈商机",
        "Expected amount": "预计金额",
        "Weighted (× probability)": "加权预计（×成交概率）",
        "Sold": "已成交",
        "Sales plan": "销售计划",
        "(Sold + weighted) / plan": "预计完成率",
        "Rank": "排名",
        "Cost share": "对应成本",
        "Sales margin": "销售毛利",
        "Sales points": "销售点数",
        "Jobs": "维修次数",
        "Service score": "服务分值",
        "Score per job": "单次分值",
        # chart titles
        "Revenue and gross margin": "销售额与毛利",
        "Orders and payments": "订单与回款",
        "New and lost customers": "新增与流失客户",
        "Receivables aging": "应收账龄",
        "Tickets received and completed": "接单与完成",
        "Plan, sold and weighted forecast": "计划、已成交与加权预计",
        # rows
        "Total": "合计",
        "Not in catalog": "非目录商品",
        "Unassigned": "未派工",
        "No device": "无设备",
        "No owner": "无负责人",
        "(none)": "（无）",
        "0–30 days": "0–30天",
        "31–60 days": "31–60天",
        "61–90 days": "61–90天",
        "Over 90 days": "90天以上",
        # the filters above an export, and the breakdown choices
        "Period: {start} – {end}": "期间：{start} 至 {end}",
        "Department: {name}": "部门：{name}",
        "Person: {name}": "人员：{name}",
        "Customer class: {name}": "客户分类：{name}",
        "Customer source: {name}": "客户来源：{name}",
        "Product category: {name}": "产品类别：{name}",
        "View: {name}": "视图：{name}",
        "By customer class": "按客户分类",
        "By customer source": "按客户来源",
        "By customer status": "按客户状态",
        "By product category": "按产品类别",
        "By month": "按月",
        "By salesperson": "按业务员",
        "By technician": "按维修工程师",
        "By device model": "按设备型号",
        "Margin by order date": "按订单日期计毛利",
        "Margin by payments collected": "按回款计毛利",
    },
    "StatisticRecords": {
        "Customers": "客户",
        "Buying customers": "成交客户",
        "Orders": "订单",
        "Open orders": "未结订单",
        "Payments received": "回款",
        "Sales plans": "销售计划",
        "Open opportunities": "在谈商机",
        "Repair records": "维修记录",
        "Repeat faults": "重复故障",
        "Service tickets": "服务单",
    },
}
