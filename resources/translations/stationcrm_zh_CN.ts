<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Accessory</name>
    <message>
        <source>Power cord</source>
        <translation>电源线</translation>
    </message>
    <message>
        <source>Toner cartridge</source>
        <translation>硒鼓</translation>
    </message>
    <message>
        <source>Paper tray</source>
        <translation>纸盒</translation>
    </message>
    <message>
        <source>Data cable</source>
        <translation>数据线</translation>
    </message>
</context>
<context>
    <name>AdminPage</name>
    <message>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Departments</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Roles and permissions</source>
        <translation>角色权限</translation>
    </message>
    <message>
        <source>Audit log</source>
        <translation>操作日志</translation>
    </message>
    <message>
        <source>Company</source>
        <translation>公司信息</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
</context>
<context>
    <name>AgingTotals</name>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>StationCRM cannot start</source>
        <translation>StationCRM 无法启动</translation>
    </message>
</context>
<context>
    <name>AuditTab</name>
    <message>
        <source>Everyone</source>
        <translation>所有人</translation>
    </message>
    <message>
        <source>Every kind</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Every action</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <source>Record id</source>
        <translation>记录 ID</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>站点</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>修改前</translation>
    </message>
    <message>
        <source>After</source>
        <translation>修改后</translation>
    </message>
    <message>
        <source>{count} of {total} entries shown (scroll down for more)</source>
        <translation>已显示 {count} / 共 {total} 条（向下滚动查看更多）</translation>
    </message>
    <message>
        <source>{count} entries shown</source>
        <translation>显示 {count} 条</translation>
    </message>
</context>
<context>
    <name>BoardColumn</name>
    <message>
        <source>{count} · {amount}
weighted {weighted}</source>
        <translation>{count} 个 · {amount}
加权 {weighted}</translation>
    </message>
</context>
<context>
    <name>CareOutcomeDialog</name>
    <message>
        <source>Customer care outcome</source>
        <translation>客户关怀结果</translation>
    </message>
    <message>
        <source>What was said, what the customer needs next</source>
        <translation>沟通内容、客户后续需求</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Postpone to</source>
        <translation>推迟到</translation>
    </message>
    <message>
        <source>Skip (no action needed)</source>
        <translation>跳过（无需处理）</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>关怀结果</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>联系方式</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>处理</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Contact: {name}</source>
        <translation>联系人：{name}</translation>
    </message>
    <message>
        <source>Due {date}</source>
        <translation>到期 {date}</translation>
    </message>
    <message>
        <source>{date} (overdue)</source>
        <translation>{date}（已超时）</translation>
    </message>
    <message>
        <source>Owner: {name}</source>
        <translation>负责人：{name}</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>CarePage</name>
    <message>
        <source>My care items</source>
        <translation>我的关怀事项</translation>
    </message>
    <message>
        <source>All I may see</source>
        <translation>我可查看的全部</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待办</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Generate now</source>
        <translation>立即生成</translation>
    </message>
    <message>
        <source>Create the care items the rules call for (follow-up calls, contract expiry, consumables reorder, birthdays, holidays); nothing is created twice</source>
        <translation>按关怀规则生成关怀事项（取机回访、合同到期、耗材续购、生日、节日），不会重复生成</translation>
    </message>
    <message>
        <source>Care rules…</source>
        <translation>关怀规则…</translation>
    </message>
    <message>
        <source>Due on</source>
        <translation>到期日</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>事由</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>关怀结果</translation>
    </message>
    <message>
        <source>Record outcome…</source>
        <translation>记录结果…</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>回车键</translation>
    </message>
    <message>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>{date} (overdue)</source>
        <translation>{date}（已超时）</translation>
    </message>
    <message>
        <source>(management)</source>
        <translation>（管理部）</translation>
    </message>
    <message>
        <source>No care items here.</source>
        <translation>没有关怀事项。</translation>
    </message>
    <message>
        <source>{shown} of {total} care items shown, {overdue} of them overdue.</source>
        <translation>显示 {shown} / 共 {total} 条关怀事项，其中 {overdue} 条已逾期。</translation>
    </message>
    <message>
        <source>{shown} of {total} care items shown.</source>
        <translation>显示 {shown} / 共 {total} 条关怀事项。</translation>
    </message>
    <message>
        <source>{count} care items, {overdue} of them overdue.</source>
        <translation>共 {count} 项关怀，其中 {overdue} 项已超时。</translation>
    </message>
    <message>
        <source>{count} care items.</source>
        <translation>共 {count} 项关怀。</translation>
    </message>
    <message>
        <source>Care items have not been generated yet.</source>
        <translation>尚未生成过关怀事项。</translation>
    </message>
    <message>
        <source>Last generated for {date}.</source>
        <translation>最近一次生成日期：{date}。</translation>
    </message>
    <message>
        <source>Generating care items…</source>
        <translation>正在生成关怀事项…</translation>
    </message>
    <message>
        <source>Generated for {date}: {count} new care items.</source>
        <translation>已生成 {date} 的关怀事项：新增 {count} 项。</translation>
    </message>
</context>
<context>
    <name>CareRulesDialog</name>
    <message>
        <source>Care rules</source>
        <translation>关怀规则</translation>
    </message>
    <message>
        <source>Rules</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Follow-up call after a pickup</source>
        <translation>取机后回访</translation>
    </message>
    <message>
        <source>days after the pickup</source>
        <translation>天（取机后）</translation>
    </message>
    <message>
        <source>Service contract expiry</source>
        <translation>服务合同到期</translation>
    </message>
    <message>
        <source>days before the contract ends</source>
        <translation>天（合同到期前）</translation>
    </message>
    <message>
        <source>Consumables reorder</source>
        <translation>耗材续购</translation>
    </message>
    <message>
        <source>days before the expected purchase</source>
        <translation>天（预计购买前）</translation>
    </message>
    <message>
        <source>Contact birthdays</source>
        <translation>联系人生日</translation>
    </message>
    <message>
        <source>days ahead</source>
        <translation>天（提前）</translation>
    </message>
    <message>
        <source>Holiday greetings</source>
        <translation>节日问候</translation>
    </message>
    <message>
        <source>Create items due within</source>
        <translation>生成到期在此范围内的事项</translation>
    </message>
    <message>
        <source>days (each run)</source>
        <translation>天内（每次生成）</translation>
    </message>
    <message>
        <source>For customers of class:</source>
        <translation>客户分类：</translation>
    </message>
    <message>
        <source>Holiday</source>
        <translation>节日</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Date: 2027-02-06 for that year only (春节, 中秋节), 01-01 for every year.</source>
        <translation>日期：2027-02-06 表示仅当年（春节、中秋节），01-01 表示每年。</translation>
    </message>
    <message>
        <source>Add holiday</source>
        <translation>添加节日</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Holiday line {row}: {message}</source>
        <translation>节日第 {row} 行：{message}</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>CheckPage</name>
    <message>
        <source>Test the connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>StationCRM connects to the server and looks at the database.</source>
        <translation>StationCRM 连接服务器并检查数据库。</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>测试连接(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Create the database…</source>
        <translation>创建数据库(&amp;C)…</translation>
    </message>
    <message>
        <source>&amp;Install the new version</source>
        <translation>安装新版本(&amp;I)</translation>
    </message>
    <message>
        <source>Server: {server}
Address: {address}</source>
        <translation>服务器：{server}
地址：{address}</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>正在连接 {server}…</translation>
    </message>
    <message>
        <source>Connected. The database is ready (schema {revision}). Click Next to choose this PC&apos;s station.</source>
        <translation>已连接。数据库已就绪（数据库结构 {revision}）。请点击“下一步”选择本机站点。</translation>
    </message>
    <message>
        <source>Connected. The database was upgraded by StationCRM {version}; this version still works with it. Click Next to choose this PC&apos;s station.</source>
        <translation>已连接。数据库已由 StationCRM {version} 升级；本版本仍可使用它。请点击“下一步”选择本机站点。</translation>
    </message>
    <message>
        <source>The database is empty.</source>
        <translation>数据库是空的。</translation>
    </message>
    <message>
        <source>StationCRM&apos;s tables are there, but nobody may administer them yet.</source>
        <translation>StationCRM 的数据表已存在，但还没有系统管理员。</translation>
    </message>
    <message>
        <source>Your login may create StationCRM in it: click “Create the database…” to give the company name and the first administrator.</source>
        <translation>您的登录账户可以在其中创建 StationCRM：请点击“创建数据库…”，填写公司名称和第一位系统管理员。</translation>
    </message>
    <message>
        <source>The database {database} on {server} is empty, and this login may not create StationCRM in it.</source>
        <translation>{server} 上的数据库 {database} 是空的，而此登录账户无权在其中创建 StationCRM。</translation>
    </message>
    <message>
        <source>Ask the database administrator to create it with these commands (see the administrator&apos;s guide, docs/dba.md), then test again:</source>
        <translation>请数据库管理员用以下命令创建它（见管理员指南 docs/dba.md），然后再次测试：</translation>
    </message>
    <message>
        <source>Go back to correct what you typed, then test again.</source>
        <translation>请返回修改输入的内容，然后再次测试。</translation>
    </message>
    <message>
        <source>Check before importing</source>
        <translation>导入前检查</translation>
    </message>
    <message>
        <source>Nothing is written yet. Rows with errors are left out; save them with their errors, fix them and import that file again.</source>
        <translation>此时尚未写入任何数据。有错误的行不会导入；可以把它们连同错误另存，改正后再导入那个文件。</translation>
    </message>
    <message>
        <source>fill its empty fields</source>
        <translation>补全其空白字段</translation>
    </message>
    <message>
        <source>overwrite its fields</source>
        <translation>覆盖其字段</translation>
    </message>
    <message>
        <source>skip the row</source>
        <translation>跳过该行</translation>
    </message>
    <message>
        <source>create a second card</source>
        <translation>另建一张卡片</translation>
    </message>
    <message>
        <source>Like a stored customer ({why}):</source>
        <translation>与已有客户相似（{why}）：</translation>
    </message>
    <message>
        <source>A row already stored:</source>
        <translation>已存在的记录：</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>处理结果</translation>
    </message>
    <message>
        <source>Save the rows with errors…</source>
        <translation>另存有错误的行…</translation>
    </message>
    <message>
        <source>add it a second time</source>
        <translation>再新增一次</translation>
    </message>
    <message>
        <source>Right-click a row like a stored customer to choose for that row alone</source>
        <translation>在与已有客户相似的行上右键，可以只为该行单独选择</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Checking every row…</source>
        <translation>正在逐行检查…</translation>
    </message>
    <message>
        <source>This row: {choice}</source>
        <translation>仅此行：{choice}</translation>
    </message>
    <message>
        <source>Save the rows with errors</source>
        <translation>另存有错误的行</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <source>{count} rows with their errors saved to {file}.</source>
        <translation>已将 {count} 行及其错误保存到 {file}。</translation>
    </message>
</context>
<context>
    <name>ChildCustomFieldsDialog</name>
    <message>
        <source>Apply</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Keep these values; they are saved with the customer card (Ctrl+S)</source>
        <translation>保留这些内容，随客户档案一起保存（Ctrl+S）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>CompanyTab</name>
    <message>
        <source>Printed in the header of every slip: quotations, sales slips, intake slips and dispatch orders. Changes apply to the next slip printed at any station.</source>
        <translation>打印在每张单据的页眉中：报价单、销售单、接机单和派工单。修改后，任何站点下一次打印的单据即使用新内容。</translation>
    </message>
    <message>
        <source>e.g. 北京鑫锐办公设备有限公司</source>
        <translation>例如：北京鑫锐办公设备有限公司</translation>
    </message>
    <message>
        <source>e.g. 010-6253 8888</source>
        <translation>例如：010-6253 8888</translation>
    </message>
    <message>
        <source>e.g. 中国工商银行北京中关村支行</source>
        <translation>例如：中国工商银行北京中关村支行</translation>
    </message>
    <message>
        <source>digits, spaces allowed</source>
        <translation>数字，可含空格</translation>
    </message>
    <message>
        <source>unified social credit code, 18 characters</source>
        <translation>统一社会信用代码，18 位</translation>
    </message>
    <message>
        <source>Company name *</source>
        <translation>公司名称 *</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Fax</source>
        <translation>传真</translation>
    </message>
    <message>
        <source>Bank</source>
        <translation>开户行</translation>
    </message>
    <message>
        <source>Bank account</source>
        <translation>银行账号</translation>
    </message>
    <message>
        <source>Tax number</source>
        <translation>税号</translation>
    </message>
    <message>
        <source>Company details</source>
        <translation>公司资料</translation>
    </message>
    <message>
        <source>Choose logo…</source>
        <translation>选择标志图片…</translation>
    </message>
    <message>
        <source>Remove logo</source>
        <translation>移除标志</translation>
    </message>
    <message>
        <source>PNG or JPEG, at most {size} KB. Printed left of the company name, as high as the header.</source>
        <translation>PNG 或 JPEG 格式，最大 {size} KB。打印在公司名称左侧，高度与页眉相同。</translation>
    </message>
    <message>
        <source>Logo</source>
        <translation>公司标志</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No company name yet: slips print “{placeholder}” until one is saved.</source>
        <translation>尚未设置公司名称：保存之前，单据上打印“{placeholder}”。</translation>
    </message>
    <message>
        <source>{width}×{height} pixels</source>
        <translation>{width}×{height} 像素</translation>
    </message>
    <message>
        <source>No logo</source>
        <translation>无标志</translation>
    </message>
    <message>
        <source>Choose the company logo</source>
        <translation>选择公司标志图片</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg)</source>
        <translation>图片 (*.png *.jpg *.jpeg)</translation>
    </message>
    <message>
        <source>Reading the image…</source>
        <translation>正在读取图片…</translation>
    </message>
    <message>
        <source>Logo chosen; save to print it.</source>
        <translation>已选择标志图片；保存后即打印在单据上。</translation>
    </message>
    <message>
        <source>The file cannot be read: {reason}</source>
        <translation>无法读取该文件：{reason}</translation>
    </message>
    <message>
        <source>The logo was not changed.</source>
        <translation>标志未更改。</translation>
    </message>
    <message>
        <source>Logo removed; save to print slips without it.</source>
        <translation>已移除标志；保存后单据将不再打印标志。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved. Slips printed from now on carry these details.</source>
        <translation>已保存。此后打印的单据将使用这些信息。</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍保留在这里。</translation>
    </message>
</context>
<context>
    <name>ConfirmBar</name>
    <message>
        <source>Return…</source>
        <translation>退回…</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Return to the author</source>
        <translation>退回给填写人</translation>
    </message>
    <message>
        <source>What should {author} correct?</source>
        <translation>请写明 {author} 需要改正什么：</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退回</translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <source>Confirm the hand-over</source>
        <translation>确认移交</translation>
    </message>
    <message>
        <source>Check the totals, then press Hand over.</source>
        <translation>请核对合计，然后点击“移交”。</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Deactivate the user afterwards</source>
        <translation>移交后停用该用户</translation>
    </message>
    <message>
        <source>Everything moves in one transaction; each record keeps its previous owner in the audit log.</source>
        <translation>所有记录在一个事务中移交；每条记录的原负责人都保留在操作日志中。</translation>
    </message>
    <message>
        <source>Hand over {count} records of {name}.</source>
        <translation>移交 {name} 的 {count} 条记录。</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Hand over</source>
        <translation>移交</translation>
    </message>
</context>
<context>
    <name>ConfirmationQueueTab</name>
    <message>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Return…</source>
        <translation>退回…</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>全选</translation>
    </message>
    <message>
        <source>Every record of the list, also those not shown yet (Ctrl+A)</source>
        <translation>列表中的全部记录，包括尚未显示的（Ctrl+A）</translation>
    </message>
    <message>
        <source>%v of %m confirmed</source>
        <translation>已确认 %v / %m</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop after the records being confirmed now</source>
        <translation>确认完当前这一批后停止</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号/事由</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>填写人</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <source>All {count} waiting records are selected ({shown} shown).</source>
        <translation>已选中全部 {count} 条待确认记录（显示 {shown} 条）。</translation>
    </message>
    <message>
        <source>{count} records wait for confirmation ({shown} shown).</source>
        <translation>{count} 条记录待确认（已显示 {shown} 条）。</translation>
    </message>
    <message>
        <source>{count} records wait for confirmation.</source>
        <translation>{count} 条记录待确认。</translation>
    </message>
    <message>
        <source>Confirm selected ({count})</source>
        <translation>确认所选 ({count})</translation>
    </message>
    <message>
        <source>Nothing waits for confirmation.</source>
        <translation>没有待确认的记录。</translation>
    </message>
    <message>
        <source>Reading every waiting record…</source>
        <translation>正在读取全部待确认记录…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>{count} confirmed.</source>
        <translation>已确认 {count} 条。</translation>
    </message>
    <message>
        <source>{count} left as they were.</source>
        <translation>{count} 条未作改动。</translation>
    </message>
    <message>
        <source>{count} not confirmed (stopped).</source>
        <translation>{count} 条未确认（已停止）。</translation>
    </message>
    <message>
        <source>Some records were not confirmed</source>
        <translation>部分记录未确认</translation>
    </message>
    <message>
        <source>{confirmed} confirmed; these {count} were left as they are, read them again before deciding:</source>
        <translation>已确认 {confirmed} 条；以下 {count} 条未作改动，请重新查看后再决定：</translation>
    </message>
    <message>
        <source>Return to the author</source>
        <translation>退回给填写人</translation>
    </message>
    <message>
        <source>What should {author} correct?</source>
        <translation>请写明 {author} 需要改正什么：</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退回</translation>
    </message>
</context>
<context>
    <name>ContractDialog</name>
    <message>
        <source>New service contract</source>
        <translation>新建服务合同</translation>
    </message>
    <message>
        <source>Service contract</source>
        <translation>服务合同</translation>
    </message>
    <message>
        <source>Not limited</source>
        <translation>不限</translation>
    </message>
    <message>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>合同期</translation>
    </message>
    <message>
        <source>Included visits</source>
        <translation>含上门次数</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Response within</source>
        <translation>响应时限</translation>
    </message>
    <message>
        <source>Covered devices</source>
        <translation>覆盖设备</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Activate</source>
        <translation>生效</translation>
    </message>
    <message>
        <source>Terminate</source>
        <translation>终止</translation>
    </message>
    <message>
        <source>Renew…</source>
        <translation>续签…</translation>
    </message>
    <message>
        <source>Create the follow-on contract: same terms and devices, starting the day after this one ends</source>
        <translation>生成续签合同：条款和设备不变，自本合同到期次日起</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Service contract {number}</source>
        <translation>服务合同 {number}</translation>
    </message>
    <message>
        <source>Expires on {date}</source>
        <translation>{date} 到期</translation>
    </message>
    <message>
        <source>Visits used: {used} of {total}</source>
        <translation>已用次数：{used}/{total}</translation>
    </message>
    <message>
        <source>Could not load the contract.</source>
        <translation>无法加载合同。</translation>
    </message>
    <message>
        <source>This customer has no devices on the card.</source>
        <translation>该客户档案中没有设备。</translation>
    </message>
    <message>
        <source>Renewing…</source>
        <translation>正在续签…</translation>
    </message>
    <message>
        <source>Renewed as {number}.</source>
        <translation>已续签为 {number}。</translation>
    </message>
    <message>
        <source>Saved: {number}, {fee}</source>
        <translation>已保存：{number}，{fee}</translation>
    </message>
</context>
<context>
    <name>ContractListPage</name>
    <message>
        <source>New contract</source>
        <translation>新建合同</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Expiring within {days} days</source>
        <translation>{days} 天内到期</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>合同期</translation>
    </message>
    <message>
        <source>Fee</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备数</translation>
    </message>
    <message>
        <source>{count} of them expiring soon</source>
        <translation>其中 {count} 份即将到期</translation>
    </message>
    <message>
        <source>{count} expiring soon</source>
        <translation>{count} 份即将到期</translation>
    </message>
</context>
<context>
    <name>CounterSaleDialog</name>
    <message>
        <source>New order</source>
        <translation>新建订单</translation>
    </message>
    <message>
        <source>0.00 = on credit</source>
        <translation>0.00 = 赊账</translation>
    </message>
    <message>
        <source>Transfer or receipt number, if any</source>
        <translation>转账或收据号（如有）</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Payment taken now</source>
        <translation>本次收款</translation>
    </message>
    <message>
        <source>Order total</source>
        <translation>订单金额</translation>
    </message>
    <message>
        <source>Amount received</source>
        <translation>实收金额</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>凭证号</translation>
    </message>
    <message>
        <source>Still open</source>
        <translation>未回款</translation>
    </message>
    <message>
        <source>Print the sales slip after saving</source>
        <translation>保存后打印销售单</translation>
    </message>
    <message>
        <source>Save order</source>
        <translation>保存订单</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Order {number} saved.</source>
        <translation>订单 {number} 已保存。</translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <source>Create the database</source>
        <translation>创建数据库</translation>
    </message>
    <message>
        <source>StationCRM creates its tables, each person&apos;s database login and the first administrator, who then adds everyone else in Administration.</source>
        <translation>StationCRM 将创建数据表、每个人的数据库登录账户和第一位系统管理员；其他人员由系统管理员在“系统管理”中添加。</translation>
    </message>
    <message>
        <source>as printed on every slip</source>
        <translation>打印在每张单据上的名称</translation>
    </message>
    <message>
        <source>e.g. 系统管理员</source>
        <translation>例如：系统管理员</translation>
    </message>
    <message>
        <source>&amp;Company name:</source>
        <translation>公司名称(&amp;C)：</translation>
    </message>
    <message>
        <source>Administrator&apos;s &amp;user name:</source>
        <translation>管理员用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation>显示名称(&amp;D)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Repeat password:</source>
        <translation>再次输入密码(&amp;R)：</translation>
    </message>
    <message>
        <source>Enter the company name.</source>
        <translation>请输入公司名称。</translation>
    </message>
    <message>
        <source>The user name may hold only letters, digits, “.” and “_” (at most 40).</source>
        <translation>用户名只能包含字母、数字、“.”和“_”（最多 40 个字符）。</translation>
    </message>
    <message>
        <source>The password {problem}.</source>
        <translation>密码{problem}。</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Creating the tables…</source>
        <translation>正在创建数据表…</translation>
    </message>
    <message>
        <source>Adding departments and roles…</source>
        <translation>正在添加部门和角色…</translation>
    </message>
    <message>
        <source>Saving the company name…</source>
        <translation>正在保存公司名称…</translation>
    </message>
    <message>
        <source>Setting up each person&apos;s database login…</source>
        <translation>正在设置每个人的数据库登录账户…</translation>
    </message>
    <message>
        <source>Adding the first administrator…</source>
        <translation>正在添加第一位系统管理员…</translation>
    </message>
    <message>
        <source>The database is ready. {user} logs in with the password just given.</source>
        <translation>数据库已就绪。{user} 用刚才设置的密码登录。</translation>
    </message>
    <message>
        <source>This login may not create the database ({reason}). Ask the database administrator: the commands are on the previous page.</source>
        <translation>此登录账户无权创建数据库（{reason}）。请联系数据库管理员：所需命令见上一页。</translation>
    </message>
    <message>
        <source>This login may not create the database.</source>
        <translation>此登录账户无权创建数据库。</translation>
    </message>
</context>
<context>
    <name>CustomColumns</name>
    <message>
        <source>Right-click to choose custom field columns</source>
        <translation>右键选择要显示的自定义字段列</translation>
    </message>
    <message>
        <source>No custom fields</source>
        <translation>没有自定义字段</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Custom field</source>
        <translation>自定义字段</translation>
    </message>
</context>
<context>
    <name>CustomFieldDialog</name>
    <message>
        <source>Add field to {entity}</source>
        <translation>给{entity}添加字段</translation>
    </message>
    <message>
        <source>Edit field “{label}”</source>
        <translation>修改字段“{label}”</translation>
    </message>
    <message>
        <source>Must be filled in</source>
        <translation>必须填写</translation>
    </message>
    <message>
        <source>Fields with the same group are shown in one box</source>
        <translation>同一分组的字段显示在同一个框内</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>Label (English, optional)</source>
        <translation>英文名称（可不填）</translation>
    </message>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Add choice</source>
        <translation>添加选项</translation>
    </message>
    <message>
        <source>Optional: the Chinese label is used</source>
        <translation>可不填：使用中文名称</translation>
    </message>
    <message>
        <source>Made from the label</source>
        <translation>按名称自动生成</translation>
    </message>
    <message>
        <source>A short name for exports and programs, made from the label&apos;s pinyin; letters, digits and _; it cannot change later</source>
        <translation>用于导出和程序的简短名称，按名称的拼音自动生成；只能包含字母、数字和 _；保存后不能更改</translation>
    </message>
    <message>
        <source>English (optional)</source>
        <translation>英文（可不填）</translation>
    </message>
    <message>
        <source>Remove choice</source>
        <translation>删除选项</translation>
    </message>
    <message>
        <source>Choices</source>
        <translation>选项</translation>
    </message>
    <message>
        <source>Label (Chinese)</source>
        <translation>中文名称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认值</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>{field}:</source>
        <translation>{field}：</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the field (Ctrl+S)</source>
        <translation>保存字段（Ctrl+S）</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>e.g. 0</source>
        <translation>例如 0</translation>
    </message>
    <message>
        <source>e.g. 0.00</source>
        <translation>例如 0.00</translation>
    </message>
    <message>
        <source>e.g. 2026-01-01</source>
        <translation>例如 2026-01-01</translation>
    </message>
    <message>
        <source>the code of a choice</source>
        <translation>一个选项的代码</translation>
    </message>
    <message>
        <source>choice codes separated by |</source>
        <translation>选项代码，用 | 分隔</translation>
    </message>
    <message>
        <source>yes or no</source>
        <translation>是 或 否</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请改正标出的字段。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
    <message>
        <source>Choice {row}, {column}: {message}</source>
        <translation>第 {row} 个选项，{column}：{message}</translation>
    </message>
</context>
<context>
    <name>CustomFieldsDesigner</name>
    <message>
        <source>Fields of:</source>
        <translation>字段所属：</translation>
    </message>
    <message>
        <source>Show removed fields</source>
        <translation>显示已删除的字段</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Add field…</source>
        <translation>添加字段…</translation>
    </message>
    <message>
        <source>Add a field to this kind of record (Ctrl+N)</source>
        <translation>给这类记录添加字段（Ctrl+N）</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Change the selected field (Enter)</source>
        <translation>修改选中的字段（回车）</translation>
    </message>
    <message>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <source>Earlier on the form (Ctrl+Up)</source>
        <translation>在表单中靠前（Ctrl+上）</translation>
    </message>
    <message>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <source>Later on the form (Ctrl+Down)</source>
        <translation>在表单中靠后（Ctrl+下）</translation>
    </message>
    <message>
        <source>Remove…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Hide the field; the values entered are kept</source>
        <translation>隐藏该字段；已填写的内容会保留</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Show a removed field again, with its values</source>
        <translation>重新显示已删除的字段及其内容</translation>
    </message>
    <message>
        <source>No fields yet: “Add field…” adds the first.</source>
        <translation>还没有字段：点击“添加字段…”添加第一个。</translation>
    </message>
    <message>
        <source>Preview of the form</source>
        <translation>表单预览</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在读取…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Remove field?</source>
        <translation>删除字段？</translation>
    </message>
    <message>
        <source>Remove the field “{label}”?</source>
        <translation>删除字段“{label}”吗？</translation>
    </message>
    <message>
        <source>It disappears from forms, lists, exports and printouts. The values already entered are kept and come back if you restore the field.</source>
        <translation>该字段将不再出现在表单、列表、导出和打印中。已填写的内容会保留，恢复字段后重新显示。</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>{label} (removed)</source>
        <translation>{label}（已删除）</translation>
    </message>
    <message>
        <source>Not done.</source>
        <translation>未完成。</translation>
    </message>
</context>
<context>
    <name>CustomFieldsForm</name>
    <message>
        <source>{field}:</source>
        <translation>{field}：</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>必填</translation>
    </message>
    <message>
        <source>yuan, e.g. 1200.00</source>
        <translation>元，例如 1200.00</translation>
    </message>
    <message>
        <source>Type a date as 2026-11-26; Delete empties it</source>
        <translation>按 2026-11-26 的格式输入日期；按 Delete 清空</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>(choose)</source>
        <translation>（请选择）</translation>
    </message>
    <message>
        <source>Space ticks or unticks a choice</source>
        <translation>按空格键勾选或取消选项</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
</context>
<context>
    <name>CustomerCardDialog</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Customer source</source>
        <translation>客户来源</translation>
    </message>
    <message>
        <source>Customer class</source>
        <translation>客户分类</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>电子邮件</translation>
    </message>
    <message>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <source>Tax number</source>
        <translation>税号</translation>
    </message>
    <message>
        <source>Website</source>
        <translation>网址</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Addresses</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Checking for existing customers…</source>
        <translation>正在检查是否已有该客户…</translation>
    </message>
    <message>
        <source>Required: company or person</source>
        <translation>必填：单位或个人名称</translation>
    </message>
    <message>
        <source>The salesperson responsible for this customer</source>
        <translation>负责该客户的业务员</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>Discard changes in “{customer}”?</source>
        <translation>放弃对“{customer}”的修改？</translation>
    </message>
    <message>
        <source>This customer card has changes that are not saved.</source>
        <translation>这份客户档案有尚未保存的修改。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>The salesperson responsible for this customer; choose another to hand the customer over</source>
        <translation>负责该客户的业务员；选择其他人即可移交客户</translation>
    </message>
    <message>
        <source>Save the customer card (Ctrl+S)</source>
        <translation>保存客户档案（Ctrl+S）</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close the card (Esc)</source>
        <translation>关闭客户档案（Esc）</translation>
    </message>
    <message>
        <source>{field}:</source>
        <translation>{field}：</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>Custom fields…</source>
        <translation>自定义字段…</translation>
    </message>
    <message>
        <source>The custom fields of the selected row (F4)</source>
        <translation>所选行的自定义字段（F4）</translation>
    </message>
    <message>
        <source>Type into the last row to add one; Enter moves to the next cell.</source>
        <translation>在最后一行输入即可新增；按回车键移到下一格。</translation>
    </message>
    <message>
        <source>Name</source>
        <comment>contact person</comment>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>职务</translation>
    </message>
    <message>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <source>Primary</source>
        <translation>主联系人</translation>
    </message>
    <message>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <source>Street</source>
        <translation>街道地址</translation>
    </message>
    <message>
        <source>Postal code</source>
        <translation>邮编</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Installed on</source>
        <translation>安装日期</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>放置位置</translation>
    </message>
    <message>
        <source>Last meter reading</source>
        <translation>上次计数器读数</translation>
    </message>
    <message>
        <source>New meter reading</source>
        <translation>新计数器读数</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <source>The number is given on saving</source>
        <translation>保存时自动编号</translation>
    </message>
    <message>
        <source>{what}: {name}</source>
        <translation>{what}：{name}</translation>
    </message>
    <message>
        <source>Row {row}</source>
        <translation>第 {row} 行</translation>
    </message>
    <message>
        <source>You may look at this customer but not change it.</source>
        <translation>您可以查看该客户，但不能修改。</translation>
    </message>
    <message>
        <source>The customer could not be loaded.</source>
        <translation>无法载入该客户。</translation>
    </message>
    <message>
        <source>Customer card — {name}</source>
        <translation>客户档案 — {name}</translation>
    </message>
    <message>
        <source>No. {code}</source>
        <translation>编号 {code}</translation>
    </message>
    <message>
        <source>Last saved by {user} at {time}</source>
        <translation>{user} 最后保存于 {time}</translation>
    </message>
    <message>
        <source>Your role may not change the phone numbers of customers you do not own.</source>
        <translation>您的角色不能修改非本人负责客户的电话号码。</translation>
    </message>
    <message>
        <source>Your role may not see the phone numbers of customers you do not own.</source>
        <translation>您的角色不能查看非本人负责客户的电话号码。</translation>
    </message>
    <message>
        <source>(no permission)</source>
        <translation>（无权查看）</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>{value} on {date}</source>
        <translation>{value}（{date}）</translation>
    </message>
    <message>
        <source>The list of people could not be read just now; close and open the card again to choose.</source>
        <translation>暂时无法读取人员名单；请关闭客户档案后重新打开再选择。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
    <message>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍保留在这里。</translation>
    </message>
    <message>
        <source>Create anyway?</source>
        <translation>仍然新建？</translation>
    </message>
    <message>
        <source>Customers that look like this one already exist (see “Possibly already a customer” on the card). Create a new customer anyway?</source>
        <translation>已有与此相似的客户（见档案上的“可能已是客户”）。仍然新建客户吗？</translation>
    </message>
    <message>
        <source>Create anyway</source>
        <translation>仍然新建</translation>
    </message>
    <message>
        <source>Go back</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <source>Row {row}, {column}: {message} (F4 opens its custom fields)</source>
        <translation>第 {row} 行，{column}：{message}（按 F4 打开该行的自定义字段）</translation>
    </message>
    <message>
        <source>Row {row}, {column}: {message}</source>
        <translation>第 {row} 行，{column}：{message}</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <source>Someone else saved this customer meanwhile; loading their version…</source>
        <translation>其他人刚刚保存了该客户，正在载入其版本…</translation>
    </message>
    <message>
        <source>Not saved: someone else changed this customer.</source>
        <translation>未保存：该客户已被他人修改。</translation>
    </message>
    <message>
        <source>primary</source>
        <translation>主联系人</translation>
    </message>
    <message>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>new reading {value}</source>
        <translation>新读数 {value}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Discard changes?</source>
        <translation>放弃修改？</translation>
    </message>
    <message>
        <source>You changed this customer card without saving. Close it and discard the changes?</source>
        <translation>客户档案已修改但未保存。关闭并放弃这些修改吗？</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>You may not give this customer to {owner}.</source>
        <translation>您无权将该客户移交给{owner}。</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <source>{title} ({count})</source>
        <translation>{title}（{count}）</translation>
    </message>
    <message>
        <source>A saved device is not removed: set its status to Retired.</source>
        <translation>已保存的设备不能删除：请把状态改为“已停用”。</translation>
    </message>
</context>
<context>
    <name>CustomerChooser</name>
    <message>
        <source>Find a customer by name, pinyin or phone</source>
        <translation>按名称、拼音或电话查找客户</translation>
    </message>
    <message>
        <source>No customer</source>
        <translation>不关联客户</translation>
    </message>
    <message>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
</context>
<context>
    <name>CustomerConflictDialog</name>
    <message>
        <source>Changed by someone else</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <source>Someone else</source>
        <translation>其他人</translation>
    </message>
    <message>
        <source>{user} saved this customer at {time} after you opened it.</source>
        <translation>在您打开后，{user} 于 {time} 保存了该客户。</translation>
    </message>
    <message>
        <source>These fields differ between what you typed and the saved record:</source>
        <translation>以下字段中，您输入的内容与已保存的记录不同：</translation>
    </message>
    <message>
        <source>Your values and the saved record are the same now.</source>
        <translation>您输入的内容与已保存的记录现在相同。</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>What you typed</source>
        <translation>您输入的</translation>
    </message>
    <message>
        <source>Saved now</source>
        <translation>现已保存的</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <source>Discard your changes and show the saved record (your values stay listed here)</source>
        <translation>放弃您的修改并显示已保存的记录（您输入的内容仍列在这里）</translation>
    </message>
    <message>
        <source>Overwrite…</source>
        <translation>覆盖…</translation>
    </message>
    <message>
        <source>Save your values over the saved record</source>
        <translation>用您输入的内容覆盖已保存的记录</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The saved record is loaded in the card now. What you had typed stays listed here: select a cell and press Ctrl+C to copy it.</source>
        <translation>客户档案现在显示已保存的记录。您原先输入的内容仍列在这里：选中单元格按 Ctrl+C 即可复制。</translation>
    </message>
    <message>
        <source>What you had typed</source>
        <translation>您原先输入的</translation>
    </message>
    <message>
        <source>Overwrite?</source>
        <translation>覆盖？</translation>
    </message>
    <message>
        <source>Save your values over what {user} saved? Their changes to the fields listed are lost.</source>
        <translation>用您输入的内容覆盖 {user} 保存的内容吗？其对所列字段的修改将丢失。</translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
</context>
<context>
    <name>CustomerGuardPanel</name>
    <message>
        <source>Last 30 days</source>
        <translation>最近 30 天</translation>
    </message>
    <message>
        <source>Last 90 days</source>
        <translation>最近 90 天</translation>
    </message>
    <message>
        <source>Custom dates</source>
        <translation>自定日期</translation>
    </message>
    <message>
        <source>Customer base protection</source>
        <translation>客户资源安全</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compute again (F5)</source>
        <translation>重新计算（F5）</translation>
    </message>
    <message>
        <source>Enter notice…</source>
        <translation>登记离职…</translation>
    </message>
    <message>
        <source>Rules…</source>
        <translation>规则…</translation>
    </message>
    <message>
        <source>When a day is flagged</source>
        <translation>何时发出预警</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Save the alerts of the period as an Excel file</source>
        <translation>把本期间的预警保存为 Excel 文件</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>至：</translation>
    </message>
    <message>
        <source>Enter or double-click on an alert lists everything the person read that day; on a person, what they read on the last day. F5 computes again. Every look here is recorded in the audit log.</source>
        <translation>在预警上按 Enter 或双击，列出此人当天查看的全部内容；在人员上，列出最后一天查看的内容。F5 重新计算。在此的每次查看都记入操作日志。</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>Each person on {day} against their usual</source>
        <translation>{day} 各人与平时对比</translation>
    </message>
    <message>
        <source>Alerts: {days} days flagged; people: {people}</source>
        <translation>预警：{people} 人，共 {days} 天</translation>
    </message>
    <message>
        <source>Alerts: none in this period</source>
        <translation>预警：本期间没有</translation>
    </message>
    <message>
        <source>{start} to {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>Choose a person in the table first.</source>
        <translation>请先在表中选择一个人员。</translation>
    </message>
    <message>
        <source>Enter the day {person} gave notice</source>
        <translation>登记 {person} 提出离职的日期</translation>
    </message>
    <message>
        <source>Export alerts</source>
        <translation>导出预警</translation>
    </message>
    <message>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>{rows} alerts saved to {path}</source>
        <translation>已将 {rows} 条预警保存到 {path}</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>CustomerListModel</name>
    <message>
        <source>Custom field</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>This customer belongs to {owner}. You may see only its name and owner.</source>
        <translation>该客户属于 {owner}，您只能看到名称和负责人。</translation>
    </message>
</context>
<context>
    <name>CustomerListPage</name>
    <message>
        <source>Name, pinyin (bjxr or beijing), phone, contact, code, serial no.</source>
        <translation>名称、拼音（bjxr 或 beijing）、电话、联系人、编号、序列号</translation>
    </message>
    <message>
        <source>Finds customers by name or short name, full pinyin or pinyin initials, any part of a phone number, a contact&apos;s name or phone, or a device serial number.</source>
        <translation>按名称或简称、全拼或拼音首字母、电话号码的任意部分、联系人姓名或电话、设备序列号查找客户。</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Show the customers of one owner</source>
        <translation>只显示某位负责人的客户</translation>
    </message>
    <message>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <source>Only mine</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <source>Filter on a custom field</source>
        <translation>按自定义字段筛选</translation>
    </message>
    <message>
        <source>All custom fields</source>
        <translation>全部自定义字段</translation>
    </message>
    <message>
        <source>contains…</source>
        <translation>包含…</translation>
    </message>
    <message>
        <source>New customer…</source>
        <translation>新建客户…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the listed customers (the search and filters apply) to an Excel or CSV file</source>
        <translation>把列出的客户（按当前搜索和筛选）写入 Excel 或 CSV 文件</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Bring customers, their devices, products or opening receivables in from an Excel or CSV sheet</source>
        <translation>从 Excel 或 CSV 表格导入客户、客户设备、产品或期初应收</translation>
    </message>
    <message>
        <source>Past imports…</source>
        <translation>导入记录…</translation>
    </message>
    <message>
        <source>Click to sort by this column; right-click to choose the columns</source>
        <translation>单击按此列排序；右键选择显示的列</translation>
    </message>
    <message>
        <source>Merge with another customer…</source>
        <translation>合并客户…</translation>
    </message>
    <message>
        <source>Export customers</source>
        <translation>导出客户</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV，UTF-8 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>{count} customers exported to {file}.</source>
        <translation>已导出 {count} 个客户到 {file}。</translation>
    </message>
    <message>
        <source>Could not load customers: {reason} The list continues when the connection is back.</source>
        <translation>无法载入客户：{reason} 连接恢复后列表将继续载入。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>Loading customers…</source>
        <translation>正在载入客户…</translation>
    </message>
    <message>
        <source>No customer matches this search.</source>
        <translation>没有符合条件的客户。</translation>
    </message>
    <message>
        <source>No customers yet.</source>
        <translation>还没有客户。</translation>
    </message>
    <message>
        <source>Customers: {count}</source>
        <translation>客户：{count} 个</translation>
    </message>
    <message>
        <source>Customers shown: {count} of {total} (scroll down for more)</source>
        <translation>已显示客户：{count} / 共 {total} 个（向下滚动查看更多）</translation>
    </message>
    <message>
        <source>Customers shown: {count} (scroll down for more)</source>
        <translation>已显示客户：{count} 个（向下滚动显示更多）</translation>
    </message>
    <message>
        <source>Any value</source>
        <translation>任意值</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>Loading owners…</source>
        <translation>正在读取负责人…</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>“{name}” is {owner}&apos;s customer; you may not view it. Please contact {owner}.</source>
        <translation>“{name}”是 {owner} 负责的客户，您无权查看。请联系 {owner}。</translation>
    </message>
    <message>
        <source>“{name}” is outside your customers; you may not view it. Please ask your manager.</source>
        <translation>“{name}”不在您的客户范围内，您无权查看。请联系您的主管。</translation>
    </message>
    <message>
        <source>Not your customer</source>
        <translation>非您负责的客户</translation>
    </message>
</context>
<context>
    <name>CustomerOverviewPage</name>
    <message>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <source>Back to the customer list (Alt+Left or Esc)</source>
        <translation>返回客户列表（Alt+← 或 Esc）</translation>
    </message>
    <message>
        <source>Edit card…</source>
        <translation>编辑客户档案…</translation>
    </message>
    <message>
        <source>Open card…</source>
        <translation>查看客户档案…</translation>
    </message>
    <message>
        <source>The customer card (Ctrl+E)</source>
        <translation>客户档案（Ctrl+E）</translation>
    </message>
    <message>
        <source>Record visit…</source>
        <translation>记录拜访…</translation>
    </message>
    <message>
        <source>Record an on-site visit (Ctrl+Shift+V)</source>
        <translation>记录一次上门拜访（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Read the customer again (F5)</source>
        <translation>重新读取客户资料（F5）</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>:</source>
        <translation>：</translation>
    </message>
    <message>
        <source>Receivable</source>
        <translation>应收款</translation>
    </message>
    <message>
        <source>Unpaid orders and repair charges of this customer</source>
        <translation>该客户未付的订单和维修费用</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Could not reload: {reason}</source>
        <translation>无法刷新：{reason}</translation>
    </message>
    <message>
        <source>The latest {count} entries are shown.</source>
        <translation>只显示最近的 {count} 条记录。</translation>
    </message>
    <message>
        <source>Entries: {count}</source>
        <translation>记录：{count} 条</translation>
    </message>
    <message>
        <source>Entries shown: {shown} of {count}</source>
        <translation>显示 {shown} 条，共 {count} 条</translation>
    </message>
    <message>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Devices ({count})</source>
        <translation>设备（{count}）</translation>
    </message>
    <message>
        <source>No devices on file.</source>
        <translation>没有登记设备。</translation>
    </message>
    <message>
        <source>Service contracts ({count})</source>
        <translation>服务合同（{count}）</translation>
    </message>
    <message>
        <source>No service contracts.</source>
        <translation>没有服务合同。</translation>
    </message>
    <message>
        <source>under contract {number} until {date}</source>
        <translation>合同 {number}，保修至 {date}</translation>
    </message>
    <message>
        <source>no service contract</source>
        <translation>无服务合同</translation>
    </message>
    <message>
        <source>{device} · SN {serial} · {cover}</source>
        <translation>{device} · 序列号 {serial} · {cover}</translation>
    </message>
    <message>
        <source>{number} · {kind} · {status} · {start} – {end}</source>
        <translation>{number} · {kind} · {status} · {start} 至 {end}</translation>
    </message>
    <message>
        <source>{kind} ({count})</source>
        <translation>{kind}（{count}）</translation>
    </message>
</context>
<context>
    <name>DepartmentDialog</name>
    <message>
        <source>New department</source>
        <translation>新建部门</translation>
    </message>
    <message>
        <source>Edit department</source>
        <translation>修改部门</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Name (Chinese)</source>
        <translation>中文名称</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>英文名称</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>站点</translation>
    </message>
</context>
<context>
    <name>DepartmentsTab</name>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>站点</translation>
    </message>
    <message>
        <source>Active users</source>
        <translation>在职用户</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>New department…</source>
        <translation>新建部门…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>{count} departments</source>
        <translation>共 {count} 个部门</translation>
    </message>
    <message>
        <source>Reactivate</source>
        <translation>重新启用</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <source>Dispatch {number}</source>
        <translation>派工 {number}</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <source>Scheduled visit</source>
        <translation>预约上门时间</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <translation>派工</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>{name} — {count} open tickets</source>
        <translation>{name} — 未完成 {count} 单</translation>
    </message>
    <message>
        <source>No active technicians.</source>
        <translation>没有在岗的维修工程师。</translation>
    </message>
    <message>
        <source>Choose a technician.</source>
        <translation>请选择维修工程师。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Could not load the technicians.</source>
        <translation>无法加载维修工程师。</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>DrillDownDialog</name>
    <message>
        <source>Records behind the number</source>
        <translation>数字背后的单据</translation>
    </message>
    <message>
        <source>{start} to {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>Enter or double-click opens a record.</source>
        <translation>回车或双击打开单据。</translation>
    </message>
    <message>
        <source>{count} records, total {amount}</source>
        <translation>共 {count} 条，合计 {amount}</translation>
    </message>
    <message>
        <source>{count} records</source>
        <translation>共 {count} 条</translation>
    </message>
    <message>
        <source>More than {shown} records match; the first {shown} are shown. Narrow the filters to see the others.</source>
        <translation>符合条件的单据超过 {shown} 条，只显示前 {shown} 条。请缩小筛选范围查看其余单据。</translation>
    </message>
</context>
<context>
    <name>DrillModel</name>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>First contact</source>
        <translation>首次接触</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>客户编号</translation>
    </message>
    <message>
        <source>Order number</source>
        <translation>订单号</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>销售日期</translation>
    </message>
    <message>
        <source>Salesperson</source>
        <translation>业务员</translation>
    </message>
    <message>
        <source>Payment number</source>
        <translation>回款单号</translation>
    </message>
    <message>
        <source>Received on</source>
        <translation>回款日期</translation>
    </message>
    <message>
        <source>Ticket number</source>
        <translation>服务单号</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <source>Device model</source>
        <translation>设备型号</translation>
    </message>
    <message>
        <source>Completed on</source>
        <translation>完成日期</translation>
    </message>
    <message>
        <source>Job type</source>
        <translation>服务类型</translation>
    </message>
    <message>
        <source>Service score</source>
        <translation>服务分值</translation>
    </message>
    <message>
        <source>Opportunity number</source>
        <translation>商机编号</translation>
    </message>
    <message>
        <source>Expected close</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>职务</translation>
    </message>
    <message>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <source>Planned amount</source>
        <translation>计划金额</translation>
    </message>
</context>
<context>
    <name>DuplicateHitsPanel</name>
    <message>
        <source>This customer may already exist. Nothing has been saved yet.</source>
        <translation>该客户可能已存在，尚未保存任何内容。</translation>
    </message>
    <message>
        <source>Create a new customer anyway</source>
        <translation>仍然新建客户</translation>
    </message>
    <message>
        <source>Use this customer</source>
        <translation>使用此客户</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>{name} — {reasons} — ask {owner}</source>
        <translation>{name} — {reasons} — 请联系 {owner}</translation>
    </message>
    <message>
        <source>{name} — owner: {owner} — {reasons}</source>
        <translation>{name} — 负责人：{owner} — {reasons}</translation>
    </message>
</context>
<context>
    <name>DuplicatePanel</name>
    <message>
        <source>Possibly already a customer:</source>
        <translation>可能已是客户：</translation>
    </message>
    <message>
        <source>Open the existing one</source>
        <translation>打开已有客户</translation>
    </message>
    <message>
        <source>…and {count} more</source>
        <translation>…另有 {count} 个</translation>
    </message>
    <message>
        <source>Could not check for existing customers just now.</source>
        <translation>暂时无法检查是否已有该客户。</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <source>{name} — ask {owner}</source>
        <translation>{name} — 请联系 {owner}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <source>{name} — owner: {owner} — {reasons}</source>
        <translation>{name} — 负责人：{owner} — {reasons}</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Database unavailable</source>
        <translation>数据库不可用</translation>
    </message>
    <message>
        <source>Stopped waiting</source>
        <translation>已停止等待</translation>
    </message>
    <message>
        <source>You stopped waiting for the server&apos;s answer. Try again once the connection is back.</source>
        <translation>您已停止等待服务器答复。连接恢复后请重试。</translation>
    </message>
    <message>
        <source>Something went wrong and the action was not completed. If it happens again, copy the details and send them to the administrator.</source>
        <translation>出现问题，操作未完成。如果再次发生，请复制详细信息并发给管理员。</translation>
    </message>
    <message>
        <source>Something went wrong and the action was not completed. The error was written to the log file {path}; if it happens again, copy the details and send them to the administrator.</source>
        <translation>出现问题，操作未完成。错误已写入日志文件 {path}；如果再次发生，请复制详细信息并发给管理员。</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <source>Login failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <source>Not permitted</source>
        <translation>没有权限</translation>
    </message>
    <message>
        <source>Please check your input</source>
        <translation>请检查输入</translation>
    </message>
    <message>
        <source>Changed by someone else</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <source>Not saved</source>
        <translation>未保存</translation>
    </message>
    <message>
        <source>Not confirmed</source>
        <translation>未能确认</translation>
    </message>
    <message>
        <source>Cannot do that</source>
        <translation>无法执行</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
    <message>
        <source>Copy details</source>
        <translation>复制详细信息</translation>
    </message>
</context>
<context>
    <name>FilePage</name>
    <message>
        <source>Choose the sheet</source>
        <translation>选择表格</translation>
    </message>
    <message>
        <source>An Excel workbook (.xlsx, .xls) or a CSV file (UTF-8 or GBK, as Chinese Excel saves it).</source>
        <translation>Excel 工作簿（.xlsx、.xls）或 CSV 文件（UTF-8 或 GBK，中文 Excel 默认保存为 GBK）。</translation>
    </message>
    <message>
        <source>The file to import</source>
        <translation>要导入的文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>The sheet holds:</source>
        <translation>表格内容：</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <source>Sheet:</source>
        <translation>工作表：</translation>
    </message>
    <message>
        <source>One customer per row, or one row per contact under the same company name.</source>
        <translation>每行一个客户，或同一公司名下每个联系人一行。</translation>
    </message>
    <message>
        <source>One machine per row: the customer (number or name), brand, model and serial number; import the customers first.</source>
        <translation>每行一台设备：客户（编号或名称）、品牌、型号和序列号；请先导入客户。</translation>
    </message>
    <message>
        <source>One product per row: SKU, name and category; a SKU the catalog holds already updates that product.</source>
        <translation>每行一个产品：产品编码、名称和类别；产品目录中已有的编码会更新该产品。</translation>
    </message>
    <message>
        <source>One open debt per row: the customer and the amount owed, with its date and old number if the sheet has them. They count as owed, not as sales.</source>
        <translation>每行一笔未收欠款：客户和欠款金额，如表格中有，再加日期和原单号。它们计入应收款，不计入销售额。</translation>
    </message>
    <message>
        <source>Choose the sheet to import</source>
        <translation>选择要导入的表格</translation>
    </message>
    <message>
        <source>Sheets (*.xlsx *.xls *.csv *.txt)</source>
        <translation>表格 (*.xlsx *.xls *.csv *.txt)</translation>
    </message>
    <message>
        <source>Reading {file}…</source>
        <translation>正在读取 {file}…</translation>
    </message>
    <message>
        <source>(the file)</source>
        <translation>（整个文件）</translation>
    </message>
    <message>
        <source>Header found in row {row}: {count} columns.</source>
        <translation>表头在第 {row} 行：共 {count} 列。</translation>
    </message>
</context>
<context>
    <name>GuardChartView</name>
    <message>
        <source>Everyone&apos;s reads per day</source>
        <translation>每日全员查看量</translation>
    </message>
    <message>
        <source>Cards opened</source>
        <translation>打开档案数</translation>
    </message>
    <message>
        <source>Customers listed</source>
        <translation>列出客户数</translation>
    </message>
    <message>
        <source>Days flagged</source>
        <translation>预警天数</translation>
    </message>
</context>
<context>
    <name>GuardColumns</name>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Exported</source>
        <translation>导出客户数</translation>
    </message>
    <message>
        <source>Printed</source>
        <translation>打印单据数</translation>
    </message>
    <message>
        <source>Cards opened
/ usual</source>
        <translation>打开档案 / 平时</translation>
    </message>
    <message>
        <source>Customers listed
/ usual</source>
        <translation>列出客户 / 平时</translation>
    </message>
    <message>
        <source>Days
flagged</source>
        <translation>预警天数</translation>
    </message>
    <message>
        <source>Gave notice
on</source>
        <translation>提出离职日期</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Customer code</source>
        <translation>客户编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户数</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>详情</translation>
    </message>
</context>
<context>
    <name>GuardRulesDialog</name>
    <message>
        <source>Flag above usual × (factor):</source>
        <translation>超过平时的倍数：</translation>
    </message>
    <message>
        <source>…and at least cards opened:</source>
        <translation>…且打开档案至少：</translation>
    </message>
    <message>
        <source>…or customers listed:</source>
        <translation>…或列出客户至少：</translation>
    </message>
    <message>
        <source>…or cards of others&apos; customers:</source>
        <translation>…或打开他人客户档案至少：</translation>
    </message>
    <message>
        <source>Usual from the last (weeks):</source>
        <translation>平时按前几周计算（周）：</translation>
    </message>
    <message>
        <source>Searches in alphabetical order:</source>
        <translation>按字母顺序连续搜索次数：</translation>
    </message>
    <message>
        <source>Cards opened in list order:</source>
        <translation>按列表顺序连续打开档案数：</translation>
    </message>
    <message>
        <source>Office hours from:</source>
        <translation>上班时间：</translation>
    </message>
    <message>
        <source>Office hours to:</source>
        <translation>下班时间：</translation>
    </message>
    <message>
        <source>Documents printed outside office hours:</source>
        <translation>非办公时间打印单据数：</translation>
    </message>
    <message>
        <source>Days watched after notice:</source>
        <translation>提出离职后关注天数：</translation>
    </message>
    <message>
        <source>Factor after notice:</source>
        <translation>提出离职后的倍数：</translation>
    </message>
    <message>
        <source>Customer base protection rules</source>
        <translation>客户资源安全规则</translation>
    </message>
    <message>
        <source>A person&apos;s day is flagged when it is far above their usual (the same weekday of the weeks before), when they go through the list in order, or when they export or print outside office hours.</source>
        <translation>某人某天的查看量远超平时（前几周的同一星期几）、按顺序逐个浏览客户列表，或在非办公时间导出或打印时，这一天就会发出预警。</translation>
    </message>
    <message>
        <source>Enter a number, such as 3 or 1.5.</source>
        <translation>请输入数字，例如 3 或 1.5。</translation>
    </message>
    <message>
        <source>Nothing was saved: correct the fields marked in red.</source>
        <translation>未保存：请更正标红的字段。</translation>
    </message>
</context>
<context>
    <name>ImportHistoryDialog</name>
    <message>
        <source>Past imports</source>
        <translation>导入记录</translation>
    </message>
    <message>
        <source>Newest first. Undoing an import removes what it created and puts back what it changed; a record used or changed since is kept, with the reason.</source>
        <translation>最新的在最前。撤销一次导入会删除它新建的记录、还原它修改过的内容；之后被使用或修改过的记录会保留，并说明原因。</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>By</source>
        <translation>操作人</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Rows</source>
        <translation>行数</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>跳过</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>未导入</translation>
    </message>
    <message>
        <source>Kept</source>
        <translation>保留</translation>
    </message>
    <message>
        <source>Rows of the sheet that were not imported (errors)</source>
        <translation>表格中未能导入的行（有错误）</translation>
    </message>
    <message>
        <source>Records the last undo kept, because they were used or changed since</source>
        <translation>上次撤销时保留的记录（导入后被使用或修改过）</translation>
    </message>
    <message>
        <source>Kept by the last undo, and why:</source>
        <translation>上次撤销时保留的记录及原因：</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Sheet row</source>
        <translation>表格行号</translation>
    </message>
    <message>
        <source>Why it was kept</source>
        <translation>保留原因</translation>
    </message>
    <message>
        <source>Undo this import…</source>
        <translation>撤销这次导入…</translation>
    </message>
    <message>
        <source>Remove what the selected import created and put back what it changed (Delete)</source>
        <translation>删除所选导入新建的记录，并还原它修改过的内容（Delete 键）</translation>
    </message>
    <message>
        <source>Mark as interrupted…</source>
        <translation>标记为已中断…</translation>
    </message>
    <message>
        <source>For an import still shown as running whose station stopped mid-way: once marked, it can be undone</source>
        <translation>用于仍显示为“运行中”、但其工作站中途已停止的导入：标记后即可撤销</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>No imports yet.</source>
        <translation>还没有导入记录。</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Undo import</source>
        <translation>撤销导入</translation>
    </message>
    <message>
        <source>Undo the import of {file} ({started}, {by})?</source>
        <translation>撤销 {file} 的导入（{started}，{by}）吗？</translation>
    </message>
    <message>
        <source>It created {created} and updated {updated} records ({kind}). What it created is removed and what it changed is put back; records used or changed since are kept and listed with the reason.</source>
        <translation>该导入新建了 {created} 条、更新了 {updated} 条记录（{kind}）。新建的将被删除，修改过的将被还原；之后被使用或修改过的记录会保留，并列出原因。</translation>
    </message>
    <message>
        <source>Undoing the import of {file}…</source>
        <translation>正在撤销 {file} 的导入…</translation>
    </message>
    <message>
        <source>The import of {file} is undone: {undone} records removed or put back, {kept} kept (listed below with the reason).</source>
        <translation>{file} 的导入已撤销：删除或还原了 {undone} 条记录，保留 {kept} 条（原因见下方）。</translation>
    </message>
    <message>
        <source>The import of {file} is undone: {undone} records removed or put back.</source>
        <translation>{file} 的导入已撤销：删除或还原了 {undone} 条记录。</translation>
    </message>
    <message>
        <source>Mark as interrupted</source>
        <translation>标记为已中断</translation>
    </message>
    <message>
        <source>Mark the import of {file} ({started}, {by}) as interrupted?</source>
        <translation>将 {file} 的导入（{started}，{by}）标记为已中断吗？</translation>
    </message>
    <message>
        <source>It is still shown as running but has written nothing for more than {minutes} minutes: its station probably lost the connection. What it wrote stays, and can then be undone.</source>
        <translation>它仍显示为“运行中”，但已超过 {minutes} 分钟没有写入任何数据：其工作站很可能已断开连接。已写入的内容会保留，标记后可以撤销。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>The import of {file} is marked as interrupted: {created} created, {updated} updated. It can be undone now.</source>
        <translation>{file} 的导入已标记为已中断：新建 {created} 条，更新 {updated} 条。现在可以撤销。</translation>
    </message>
</context>
<context>
    <name>ImportKind</name>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>产品名称</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>销售价</translation>
    </message>
    <message>
        <source>Old number</source>
        <translation>原单号</translation>
    </message>
    <message>
        <source>Amount owed</source>
        <translation>欠款金额</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>{rows} rows read: {create} customers to create, {update} to update, {merge} added to a customer above, {skip} skipped, {error} with errors.</source>
        <translation>读取 {rows} 行：将新建客户 {create} 个，更新 {update} 个，并入上方客户 {merge} 行，跳过 {skip} 行，{error} 行有错误。</translation>
    </message>
    <message>
        <source>Customers&apos; devices</source>
        <translation>客户设备</translation>
    </message>
    <message>
        <source>{rows} rows read: {create} machines to add, {update} to update, {skip} skipped, {error} with errors.</source>
        <translation>读取 {rows} 行：将新增设备 {create} 台，更新 {update} 台，跳过 {skip} 行，{error} 行有错误。</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>{rows} rows read: {create} products to add, {update} to update, {skip} skipped, {error} with errors.</source>
        <translation>读取 {rows} 行：将新增产品 {create} 个，更新 {update} 个，跳过 {skip} 行，{error} 行有错误。</translation>
    </message>
    <message>
        <source>Opening receivables</source>
        <translation>期初应收</translation>
    </message>
    <message>
        <source>{rows} rows read: {create} opening balances to add, {update} to update, {skip} skipped, {error} with errors.</source>
        <translation>读取 {rows} 行：将新增期初应收 {create} 笔，更新 {update} 笔，跳过 {skip} 行，{error} 行有错误。</translation>
    </message>
    <message>
        <source>Owed in all: {total}.</source>
        <translation>欠款合计：{total}。</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
</context>
<context>
    <name>IntakeDialog</name>
    <message>
        <source>Service intake</source>
        <translation>客户服务接待单</translation>
    </message>
    <message>
        <source>Name, pinyin initials or phone…</source>
        <translation>名称、拼音首字母或电话…</translation>
    </message>
    <message>
        <source>No customer chosen</source>
        <translation>未选择客户</translation>
    </message>
    <message>
        <source>New device</source>
        <translation>新设备</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <source>Site address (on-site jobs)</source>
        <translation>上门地址（上门服务）</translation>
    </message>
    <message>
        <source>What the customer reports…</source>
        <translation>客户描述的故障现象…</translation>
    </message>
    <message>
        <source>Other accessories</source>
        <translation>其他附件</translation>
    </message>
    <message>
        <source>Scratches, cracks, missing parts…</source>
        <translation>划痕、裂纹、缺件…</translation>
    </message>
    <message>
        <source>Promised by</source>
        <translation>承诺日期</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>来源渠道</translation>
    </message>
    <message>
        <source>Service mode</source>
        <translation>服务方式</translation>
    </message>
    <message>
        <source>Site address</source>
        <translation>上门地址</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <source>Accessories received</source>
        <translation>随机附件</translation>
    </message>
    <message>
        <source>Visible condition</source>
        <translation>外观状况</translation>
    </message>
    <message>
        <source>Expected date</source>
        <translation>预计完成</translation>
    </message>
    <message>
        <source>Choose a device to see its coverage.</source>
        <translation>选择设备后显示保修状态。</translation>
    </message>
    <message>
        <source>Coverage</source>
        <translation>保修状态</translation>
    </message>
    <message>
        <source>Previous repairs</source>
        <translation>维修历史</translation>
    </message>
    <message>
        <source>Suggested solutions</source>
        <translation>推荐解决方案</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Print intake slip…</source>
        <translation>打印接待单…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
    <message>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <source>New device: chargeable (收费).</source>
        <translation>新设备：收费。</translation>
    </message>
    <message>
        <source>Checking coverage…</source>
        <translation>正在查询保修…</translation>
    </message>
    <message>
        <source>{summary}
Contract {number}, until {day}</source>
        <translation>{summary}
合同 {number}，有效期至 {day}</translation>
    </message>
    <message>
        <source>Not under contract: chargeable (收费).</source>
        <translation>不在保：收费。</translation>
    </message>
    <message>
        <source>No previous repairs</source>
        <translation>无维修记录</translation>
    </message>
    <message>
        <source>Cause: {cause}</source>
        <translation>原因：{cause}</translation>
    </message>
    <message>
        <source>choose a customer first</source>
        <translation>请先选择客户</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标记的字段。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>under contract</source>
        <translation>在保</translation>
    </message>
    <message>
        <source>labour free under contract, parts charged</source>
        <translation>合同内人工免费，配件收费</translation>
    </message>
    <message>
        <source>chargeable</source>
        <translation>收费</translation>
    </message>
    <message>
        <source>Saved as {number} ({cover}). Print the intake slip for the customer (Ctrl+P).</source>
        <translation>已保存为 {number}（{cover}）。请为客户打印接待单（Ctrl+P）。</translation>
    </message>
    <message>
        <source>Service intake {number}</source>
        <translation>客户服务接待单 {number}</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>KnowledgeFormDialog</name>
    <message>
        <source>New knowledge entry</source>
        <translation>新建知识条目</translation>
    </message>
    <message>
        <source>Knowledge entry {number}</source>
        <translation>知识库条目 {number}</translation>
    </message>
    <message>
        <source>Returned by the repair lead: {reason}</source>
        <translation>维修主管退回：{reason}</translation>
    </message>
    <message>
        <source>Device model</source>
        <translation>设备型号</translation>
    </message>
    <message>
        <source>Symptom</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <source>Cause of failure</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <source>Solution</source>
        <translation>解决方案</translation>
    </message>
    <message>
        <source>Parts</source>
        <translation>配件</translation>
    </message>
    <message>
        <source>Keywords</source>
        <translation>关键词</translation>
    </message>
    <message>
        <source>Submit for approval</source>
        <translation>提交审核</translation>
    </message>
    <message>
        <source>Save and submit</source>
        <translation>保存并提交</translation>
    </message>
    <message>
        <source>Resubmit for approval</source>
        <translation>重新提交审核</translation>
    </message>
    <message>
        <source>Save without submitting</source>
        <translation>仅保存，不提交</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
</context>
<context>
    <name>KnowledgePage</name>
    <message>
        <source>Pending approval</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Approved entries are suggested to the technicians at intake and in the repair record. New entries are approved by the repair lead.</source>
        <translation>已批准的条目会在接修和维修记录中推荐给技术员。新条目由维修主管审核。</translation>
    </message>
    <message>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <source>My entries</source>
        <translation>我的条目</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <source>Symptom</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <source>Used</source>
        <translation>使用次数</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <source>Return for rework…</source>
        <translation>退回…</translation>
    </message>
    <message>
        <source>Model or symptom words, e.g. M404 卡纸</source>
        <translation>型号或故障关键词，如 M404 卡纸</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <source>Search:</source>
        <translation>搜索：</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Return reason</source>
        <translation>退回原因</translation>
    </message>
    <message>
        <source>Edit and resubmit…</source>
        <translation>修改并重新提交…</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation>{count} 条待审核</translation>
    </message>
    <message>
        <source>Nothing waiting for approval.</source>
        <translation>没有待审核的条目。</translation>
    </message>
    <message>
        <source>{count} found</source>
        <translation>找到 {count} 条</translation>
    </message>
    <message>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
    <message>
        <source>New entry…</source>
        <translation>新建条目…</translation>
    </message>
    <message>
        <source>Write a new knowledge entry ({key})</source>
        <translation>新建一条知识库条目（{key}）</translation>
    </message>
    <message>
        <source>{shown} shown of {total} found</source>
        <translation>显示 {shown} / 共找到 {total} 条</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown, {returned} of them returned to you for rework.</source>
        <translation>显示 {shown} / 共 {total} 条，其中 {returned} 条已退回给您修改。</translation>
    </message>
    <message>
        <source>{shown} of {total} entries shown.</source>
        <translation>显示 {shown} / 共 {total} 条。</translation>
    </message>
    <message>
        <source>{count} returned to you for rework.</source>
        <translation>{count} 条被退回，需要修改。</translation>
    </message>
    <message>
        <source>{count} entries.</source>
        <translation>共 {count} 条。</translation>
    </message>
    <message>
        <source>Status: {status}</source>
        <translation>状态：{status}</translation>
    </message>
    <message>
        <source>Returned by the repair lead: {reason}</source>
        <translation>维修主管退回：{reason}</translation>
    </message>
    <message>
        <source>Returned before: {reason}</source>
        <translation>曾被退回：{reason}</translation>
    </message>
    <message>
        <source>Symptom: {text}</source>
        <translation>故障现象：{text}</translation>
    </message>
    <message>
        <source>Cause: {text}</source>
        <translation>原因：{text}</translation>
    </message>
    <message>
        <source>Solution:</source>
        <translation>解决方法：</translation>
    </message>
    <message>
        <source>Parts: {text}</source>
        <translation>配件：{text}</translation>
    </message>
    <message>
        <source>Keywords: {text}</source>
        <translation>关键词：{text}</translation>
    </message>
    <message>
        <source>Approved: {number}</source>
        <translation>已批准：{number}</translation>
    </message>
    <message>
        <source>{number} submitted for approval.</source>
        <translation>{number} 已提交审核。</translation>
    </message>
    <message>
        <source>{number} saved.</source>
        <translation>{number} 已保存。</translation>
    </message>
    <message>
        <source>Returned for rework: {number}</source>
        <translation>已退回：{number}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>LinesEditor</name>
    <message>
        <source>Find a product by SKU, name or pinyin</source>
        <translation>按编码、名称或拼音查找产品</translation>
    </message>
    <message>
        <source>Add product</source>
        <translation>添加产品</translation>
    </message>
    <message>
        <source>Add text line</source>
        <translation>添加文字行</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Discount %</source>
        <translation>折扣 %</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>成本价</translation>
    </message>
    <message>
        <source>Line total</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Row {row}, {column}: {message}</source>
        <translation>第 {row} 行，{column}：{message}</translation>
    </message>
    <message>
        <source>(cost {cost})</source>
        <translation>（成本价 {cost}）</translation>
    </message>
    <message>
        <source>No product found</source>
        <translation>未找到产品</translation>
    </message>
    <message>
        <source>Total: {amount}</source>
        <translation>合计：{amount}</translation>
    </message>
</context>
<context>
    <name>ListPage</name>
    <message>
        <source>Print selected…</source>
        <translation>打印所选…</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the listed records (the filters apply) to an Excel or CSV file</source>
        <translation>将列表中的记录（按当前筛选条件）导出为 Excel 或 CSV 文件</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
    <message>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <source>{shown} shown of {total}</source>
        <translation>显示 {shown} / 共 {total}</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)</source>
        <translation>Excel 工作簿 (*.xlsx);;CSV，UTF-8 (*.csv)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>{count} rows exported to {path}</source>
        <translation>已导出 {count} 行到 {path}</translation>
    </message>
    <message>
        <source>Select the documents to print first.</source>
        <translation>请先选择要打印的单据。</translation>
    </message>
</context>
<context>
    <name>LiveFeed</name>
    <message>
        <source>{count} new notices — open the to-do list</source>
        <translation>{count} 条新提醒，点此打开今日待办</translation>
    </message>
    <message>
        <source>New notices from other stations; click for the to-do list</source>
        <translation>其他站点发来的新提醒；点击打开今日待办</translation>
    </message>
    <message>
        <source>Notices: {count}</source>
        <translation>提醒：{count}</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <source>Log in — StationCRM</source>
        <translation>登录 — StationCRM</translation>
    </message>
    <message>
        <source>StationCRM</source>
        <translation>StationCRM</translation>
    </message>
    <message>
        <source>Log in to this station</source>
        <translation>登录本站点</translation>
    </message>
    <message>
        <source>Change server…</source>
        <translation>更换服务器…</translation>
    </message>
    <message>
        <source>Set up the connection again: this PC only, or the company server.</source>
        <translation>重新设置连接：仅本机，或公司服务器。</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Station:</source>
        <translation>站点(&amp;S)：</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Install the new version</source>
        <translation>安装新版本</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>The installer {installer} could not be opened from here. Open it in the file explorer, or ask the administrator.</source>
        <translation>无法从这里打开安装程序 {installer}。请在文件资源管理器中打开它，或联系系统管理员。</translation>
    </message>
    <message>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>Connecting to {server}…</source>
        <translation>正在连接 {server}…</translation>
    </message>
    <message>
        <source>Try again, or choose another server with “Change server…”.</source>
        <translation>请重试，或通过“更换服务器…”选择其他服务器。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>To-do today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <source>Stop waiting</source>
        <translation>停止等待</translation>
    </message>
    <message>
        <source>Stop waiting for the server&apos;s answer (Ctrl+Break). A save is checked once the server answers again: you will be told whether it was saved.</source>
        <translation>停止等待服务器答复（Ctrl+Break）。服务器恢复答复后会核对这次保存，并告诉您是否已保存。</translation>
    </message>
    <message>
        <source>The connection to the database server was lost. What you typed stays on screen; StationCRM reconnects by itself.</source>
        <translation>与数据库服务器的连接已断开。您输入的内容仍保留在屏幕上；StationCRM 会自动重新连接。</translation>
    </message>
    <message>
        <source>Stopped waiting for the server. Nothing more is sent until it answers.</source>
        <translation>已停止等待服务器。服务器答复之前不再发送任何内容。</translation>
    </message>
    <message>
        <source>Connected to the server again.</source>
        <translation>已重新连接到服务器。</translation>
    </message>
    <message>
        <source>● Connected</source>
        <translation>● 已连接</translation>
    </message>
    <message>
        <source>● Reconnecting…</source>
        <translation>● 正在重连…</translation>
    </message>
    <message>
        <source>User: {name} ({username})</source>
        <translation>用户：{name}（{username}）</translation>
    </message>
    <message>
        <source>Station: {station}</source>
        <translation>站点：{station}</translation>
    </message>
    <message>
        <source>Server: {server}</source>
        <translation>服务器：{server}</translation>
    </message>
    <message>
        <source>Backed up today ({count} kept).</source>
        <translation>今日已备份（保留 {count} 份）。</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New…</source>
        <translation>新建(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;New customer…</source>
        <translation>新建客户(&amp;N)…</translation>
    </message>
    <message>
        <source>New &amp;quotation…</source>
        <translation>新建报价单(&amp;Q)…</translation>
    </message>
    <message>
        <source>New &amp;order…</source>
        <translation>新建订单(&amp;O)…</translation>
    </message>
    <message>
        <source>New service &amp;ticket…</source>
        <translation>新建服务单(&amp;T)…</translation>
    </message>
    <message>
        <source>&amp;Print…</source>
        <translation>打印(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Export…</source>
        <translation>导出(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Check the connection</source>
        <translation>检查连接(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Log out</source>
        <translation>注销(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Toolbar</source>
        <translation>工具栏(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;To-do today</source>
        <translation>今日待办(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About StationCRM</source>
        <translation>关于 StationCRM(&amp;A)</translation>
    </message>
    <message>
        <source>Toolbar</source>
        <translation>工具栏</translation>
    </message>
    <message>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <source>New quotation</source>
        <translation>新建报价单</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>新建订单</translation>
    </message>
    <message>
        <source>New ticket</source>
        <translation>新建服务单</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Version {version}</source>
        <translation>版本 {version}</translation>
    </message>
    <message>
        <source>Database schema {revision}</source>
        <translation>数据库结构 {revision}</translation>
    </message>
    <message>
        <source>Log file: {path}</source>
        <translation>日志文件：{path}</translation>
    </message>
    <message>
        <source>Log file: none (messages go to the console)</source>
        <translation>日志文件：无（信息输出到控制台）</translation>
    </message>
    <message>
        <source>Daily backups: {folder}</source>
        <translation>每日备份：{folder}</translation>
    </message>
    <message>
        <source>About StationCRM</source>
        <translation>关于 StationCRM</translation>
    </message>
    <message>
        <source>StationCRM — customers, sales and repair for the whole office, on one shared database.</source>
        <translation>StationCRM — 全公司共用一个数据库的客户、销售与维修管理。</translation>
    </message>
    <message>
        <source>Your role may not see any part of StationCRM. Ask the administrator to give your role access.</source>
        <translation>您的角色无权查看 StationCRM 的任何模块，请联系系统管理员为您的角色授权。</translation>
    </message>
    <message>
        <source>Cancelled: the customer card stays open.</source>
        <translation>已取消，客户档案保持打开。</translation>
    </message>
</context>
<context>
    <name>ManagementPage</name>
    <message>
        <source>Confirmation queue</source>
        <translation>确认队列</translation>
    </message>
    <message>
        <source>Tasks</source>
        <translation>工作任务</translation>
    </message>
    <message>
        <source>Opportunity routing</source>
        <translation>商机分派</translation>
    </message>
    <message>
        <source>Customer reassignment</source>
        <translation>客户移交</translation>
    </message>
</context>
<context>
    <name>MapPage</name>
    <message>
        <source>Which column is which field?</source>
        <translation>每一列对应哪个字段？</translation>
    </message>
    <message>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>First rows</source>
        <translation>前几行</translation>
    </message>
    <message>
        <source>The mapping of the last sheet with these columns is used; change what is wrong.</source>
        <translation>沿用上次相同列的表格的对应关系；如有不对请修改。</translation>
    </message>
    <message>
        <source>Guessed from the headers; change what is wrong. Columns left on “not imported” are ignored.</source>
        <translation>已根据表头推测；如有不对请修改。设为“不导入”的列将被忽略。</translation>
    </message>
    <message>
        <source>not imported</source>
        <translation>不导入</translation>
    </message>
    <message>
        <source>Choose the column of: {fields}.</source>
        <translation>请选择以下字段对应的列：{fields}。</translation>
    </message>
    <message>
        <source>Each field takes one column: {fields}.</source>
        <translation>每个字段只能对应一列：{fields}。</translation>
    </message>
</context>
<context>
    <name>MergeDialog</name>
    <message>
        <source>Merge customers</source>
        <translation>合并客户</translation>
    </message>
    <message>
        <source>Two cards of one customer become one: everything recorded on the card that is absorbed moves to the card that is kept, and the absorbed card is deleted.</source>
        <translation>同一客户的两份客户档案合并为一份：被合并档案上的所有记录都转到保留的档案，随后删除被合并的档案。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Find the other card by name, pinyin or phone</source>
        <translation>按名称、拼音或电话查找另一份档案</translation>
    </message>
    <message>
        <source>No other customer found</source>
        <translation>没有找到其他客户</translation>
    </message>
    <message>
        <source>Keep this card</source>
        <translation>保留本档案</translation>
    </message>
    <message>
        <source>Keep the other card</source>
        <translation>保留另一份档案</translation>
    </message>
    <message>
        <source>At first the older card (the lower customer number) is kept.</source>
        <translation>默认保留较早建立的档案（客户编号较小者）。</translation>
    </message>
    <message>
        <source>This card:</source>
        <translation>本档案：</translation>
    </message>
    <message>
        <source>Other card:</source>
        <translation>另一份档案：</translation>
    </message>
    <message>
        <source>Card kept:</source>
        <translation>保留档案：</translation>
    </message>
    <message>
        <source>These records move to the kept card:</source>
        <translation>以下记录将转到保留的档案：</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Kept card</source>
        <translation>保留的档案</translation>
    </message>
    <message>
        <source>Absorbed card</source>
        <translation>被合并的档案</translation>
    </message>
    <message>
        <source>Kept: {code}</source>
        <translation>保留：{code}</translation>
    </message>
    <message>
        <source>Absorbed: {code}</source>
        <translation>被合并：{code}</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <source>Loading both cards…</source>
        <translation>正在读取两份档案…</translation>
    </message>
    <message>
        <source>Find the other card of this customer above.</source>
        <translation>请在上方查找该客户的另一份档案。</translation>
    </message>
    <message>
        <source>Cannot merge yet:</source>
        <translation>暂时无法合并：</translation>
    </message>
    <message>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <source>Two sales plans clash: see the reason in red.</source>
        <translation>两份销售计划冲突，原因见红字。</translation>
    </message>
    <message>
        <source>Confirm merge</source>
        <translation>确认合并</translation>
    </message>
    <message>
        <source>{code} {name} will be deleted; its number will find {kept_code} {kept_name}. This cannot be undone.</source>
        <translation>{code} {name} 将被删除，今后用它的编号会找到 {kept_code} {kept_name}。此操作无法撤销。</translation>
    </message>
    <message>
        <source>Merging…</source>
        <translation>正在合并…</translation>
    </message>
    <message>
        <source>{code} is merged into {kept_code} {kept_name}; its number now finds that card.</source>
        <translation>{code} 已合并到 {kept_code} {kept_name}，用它的编号现在会找到该档案。</translation>
    </message>
    <message>
        <source>Moved to the kept card: {counts}</source>
        <translation>已转到保留的档案：{counts}</translation>
    </message>
</context>
<context>
    <name>NewTaskDialog</name>
    <message>
        <source>New task</source>
        <translation>新建工作任务</translation>
    </message>
    <message>
        <source>Edit task — {title}</source>
        <translation>修改任务 — {title}</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>个人</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Find a customer (optional)</source>
        <translation>查找客户（可不填）</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>Assign to</source>
        <translation>分派给</translation>
    </message>
    <message>
        <source>Due on</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分派</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Could not load the people to assign to.</source>
        <translation>无法载入可分派的人员。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: {reason} Close and open the task again to see their changes.</source>
        <translation>未保存：{reason} 请关闭后重新打开该任务查看对方的修改。</translation>
    </message>
</context>
<context>
    <name>NoticeDialog</name>
    <message>
        <source>Notice of {person}</source>
        <translation>{person} 的离职登记</translation>
    </message>
    <message>
        <source>Has not given notice (clear the date)</source>
        <translation>未提出离职（清除日期）</translation>
    </message>
    <message>
        <source>For some days after it, a smaller rise above the usual already raises an alert.</source>
        <translation>此日期后的一段时间内，查看量比平时稍有增加即发出预警。</translation>
    </message>
    <message>
        <source>Gave notice on:</source>
        <translation>提出离职日期：</translation>
    </message>
</context>
<context>
    <name>OpportunityDialog</name>
    <message>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <source>The customer&apos;s source</source>
        <translation>同客户来源</translation>
    </message>
    <message>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>商机名称</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <source>Expected close date</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <source>Move to:</source>
        <translation>推进到：</translation>
    </message>
    <message>
        <source>Why was it lost?</source>
        <translation>丢单原因是什么？</translation>
    </message>
    <message>
        <source>Mark as lost</source>
        <translation>确认丢单</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Lost reason:</source>
        <translation>丢单原因：</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Stage: {stage}</source>
        <translation>阶段：{stage}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Opportunity {number}</source>
        <translation>商机 {number}</translation>
    </message>
    <message>
        <source>Owner: {name}</source>
        <translation>负责人：{name}</translation>
    </message>
    <message>
        <source>Waiting for routing</source>
        <translation>待分配</translation>
    </message>
    <message>
        <source>Could not load the opportunity.</source>
        <translation>无法加载商机。</translation>
    </message>
    <message>
        <source>Saved: {number}, {amount}</source>
        <translation>已保存：{number}，{amount}</translation>
    </message>
</context>
<context>
    <name>OpportunityListPage</name>
    <message>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <source>All stages</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <source>Waiting for routing</source>
        <translation>待分配</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <source>Opportunities</source>
        <translation>商机数</translation>
    </message>
    <message>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <source>Weighted amount</source>
        <translation>加权金额</translation>
    </message>
    <message>
        <source>List</source>
        <translation>列表</translation>
    </message>
    <message>
        <source>Board</source>
        <translation>看板</translation>
    </message>
    <message>
        <source>Sales forecast</source>
        <translation>销售预测</translation>
    </message>
    <message>
        <source>Stage:</source>
        <translation>阶段：</translation>
    </message>
    <message>
        <source>Owner:</source>
        <translation>负责人：</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>商机名称</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <source>Expected close</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Open: {count} opportunities, {amount}, weighted {weighted}</source>
        <translation>进行中：{count} 个商机，{amount}，加权 {weighted}</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Order date</source>
        <translation>销售日期</translation>
    </message>
    <message>
        <source>Payment due</source>
        <translation>付款期限</translation>
    </message>
    <message>
        <source>Delivery address</source>
        <translation>送货地址</translation>
    </message>
    <message>
        <source>Cost:</source>
        <translation>成本：</translation>
    </message>
    <message>
        <source>Gross margin:</source>
        <translation>毛利：</translation>
    </message>
    <message>
        <source>Total:</source>
        <translation>合计：</translation>
    </message>
    <message>
        <source>Paid:</source>
        <translation>已回款：</translation>
    </message>
    <message>
        <source>Open:</source>
        <translation>未回款：</translation>
    </message>
    <message>
        <source>Record payment…</source>
        <translation>登记回款…</translation>
    </message>
    <message>
        <source>Order {number}</source>
        <translation>订单 {number}</translation>
    </message>
    <message>
        <source>Returned by {who} on {when}: {comment}</source>
        <translation>{who} 于 {when} 退回：{comment}</translation>
    </message>
    <message>
        <source>Could not load the order.</source>
        <translation>无法加载订单。</translation>
    </message>
    <message>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
</context>
<context>
    <name>OrderListPage</name>
    <message>
        <source>Number, customer, pinyin or code</source>
        <translation>单号、客户、拼音或编号</translation>
    </message>
    <message>
        <source>New order</source>
        <translation>新建订单</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>已回款</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>未回款</translation>
    </message>
    <message>
        <source>Gross margin</source>
        <translation>毛利</translation>
    </message>
    <message>
        <source>Export orders</source>
        <translation>导出订单</translation>
    </message>
</context>
<context>
    <name>PagedTableModel</name>
    <message>
        <source>This column does not sort</source>
        <translation>此列不能排序</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>(no longer in this list)</source>
        <translation>（已不在此列表中）</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Reset password</source>
        <translation>重置密码</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <source>Repeat</source>
        <translation>再输一次</translation>
    </message>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <source>Record payment</source>
        <translation>登记回款</translation>
    </message>
    <message>
        <source>{order} (open {amount})</source>
        <translation>{order}（未回款 {amount}）</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Received on</source>
        <translation>回款日期</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>凭证号</translation>
    </message>
    <message>
        <source>Allocated to</source>
        <translation>核销到</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>登记</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>PaymentListPage</name>
    <message>
        <source>Number, order, customer or pinyin</source>
        <translation>单号、订单、客户或拼音</translation>
    </message>
    <message>
        <source>All dates</source>
        <translation>全部日期</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>最近 7 天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Received:</source>
        <translation>收款日期：</translation>
    </message>
    <message>
        <source>Print receipt…</source>
        <translation>打印收据…</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Order / ticket</source>
        <translation>订单 / 服务单</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Received by</source>
        <translation>收款人</translation>
    </message>
    <message>
        <source>Export payments</source>
        <translation>导出回款记录</translation>
    </message>
    <message>
        <source>Select the payments to print first.</source>
        <translation>请先选择要打印的回款。</translation>
    </message>
</context>
<context>
    <name>PaymentSummaryDialog</name>
    <message>
        <source>Payment</source>
        <translation>回款</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Payment {number}</source>
        <translation>回款 {number}</translation>
    </message>
    <message>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <source>Received on: {day}</source>
        <translation>回款日期：{day}</translation>
    </message>
    <message>
        <source>Amount: {amount}</source>
        <translation>金额：{amount}</translation>
    </message>
    <message>
        <source>Method: {method}</source>
        <translation>付款方式：{method}</translation>
    </message>
    <message>
        <source>Reference: {text}</source>
        <translation>凭证号：{text}</translation>
    </message>
    <message>
        <source>Received by: {name}</source>
        <translation>经手人：{name}</translation>
    </message>
    <message>
        <source>Allocated to an order you may not open: {amount}</source>
        <translation>分配到您无权查看的订单：{amount}</translation>
    </message>
    <message>
        <source>Allocated to {order}: {amount}</source>
        <translation>核销到 {order}：{amount}</translation>
    </message>
    <message>
        <source>Could not load the payment.</source>
        <translation>无法加载回款记录。</translation>
    </message>
</context>
<context>
    <name>PaymentsPage</name>
    <message>
        <source>Payments received</source>
        <translation>回款记录</translation>
    </message>
    <message>
        <source>Receivables aging</source>
        <translation>应收款账龄</translation>
    </message>
</context>
<context>
    <name>PickPage</name>
    <message>
        <source>Who is leaving?</source>
        <translation>哪位员工离职？</translation>
    </message>
    <message>
        <source>Choose the user whose customers and open work are to be handed over.</source>
        <translation>选择要移交其客户和未完成工作的用户。</translation>
    </message>
    <message>
        <source>Choose a user</source>
        <translation>请选择用户</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Next you will see everything this user is responsible for, choose who takes it over (one user, several users evenly, or by customer class) and confirm. Everything moves in one step; nothing stays with the leaving user.</source>
        <translation>接下来将列出该用户负责的全部记录，再选择由谁接手（一人全部接手、多人平均分配或按客户分类），最后确认。所有记录一次移交完成，离职人员名下不再留有任何记录。</translation>
    </message>
    <message>
        <source>Leaving user:</source>
        <translation>离职人员：</translation>
    </message>
</context>
<context>
    <name>PickupDialog</name>
    <message>
        <source>Pickup</source>
        <translation>客户取机</translation>
    </message>
    <message>
        <source>Type or scan the ticket number, Enter</source>
        <translation>输入或扫描服务单号，回车</translation>
    </message>
    <message>
        <source>No ticket loaded.</source>
        <translation>未载入服务单。</translation>
    </message>
    <message>
        <source>Ticket number</source>
        <translation>服务单号</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>收款金额</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <source>Hand over</source>
        <translation>交付取机</translation>
    </message>
    <message>
        <source>Print pickup receipt…</source>
        <translation>打印取机单…</translation>
    </message>
    <message>
        <source>The pickup receipt (取机单) for the customer to sign: charges, payment, what is open ({key})</source>
        <translation>取机单，供客户签字：收费、付款与未付金额（{key}）</translation>
    </message>
    <message>
        <source>Print receipt…</source>
        <translation>打印收据…</translation>
    </message>
    <message>
        <source>The payment receipt (收款收据) of the money taken for this ticket</source>
        <translation>本服务单所收款项的收款收据</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Looking up…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>Ticket not loaded.</source>
        <translation>未载入服务单。</translation>
    </message>
    <message>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <source>Device: {device}</source>
        <translation>设备：{device}</translation>
    </message>
    <message>
        <source>Symptoms: {text}</source>
        <translation>故障现象：{text}</translation>
    </message>
    <message>
        <source>Repaired by {name}, done {at}</source>
        <translation>维修人：{name}，完成于 {at}</translation>
    </message>
    <message>
        <source>Charge: {amount} (under contract)</source>
        <translation>费用：{amount}（在保）</translation>
    </message>
    <message>
        <source>Charge: {amount} (labour free under contract, parts charged)</source>
        <translation>费用：{amount}（合同内人工免费，配件收费）</translation>
    </message>
    <message>
        <source>Charge: {amount}</source>
        <translation>费用：{amount}</translation>
    </message>
    <message>
        <source>Paid: {paid}   Open: {open}</source>
        <translation>已付：{paid}   未付：{open}</translation>
    </message>
    <message>
        <source>What was done: {text}</source>
        <translation>维修内容：{text}</translation>
    </message>
    <message>
        <source>Cause: {text}</source>
        <translation>原因：{text}</translation>
    </message>
    <message>
        <source>Result: {text}</source>
        <translation>维修结果：{text}</translation>
    </message>
    <message>
        <source>Labour {labour} + parts {parts}</source>
        <translation>人工费 {labour} + 配件费 {parts}</translation>
    </message>
    <message>
        <source>{number} is not ready for pickup: {status}</source>
        <translation>{number} 尚不能取机：{status}</translation>
    </message>
    <message>
        <source>Handed over {at}</source>
        <translation>已取机 {at}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>{number} handed over; paid {amount}.</source>
        <translation>{number} 已取机；已付 {amount}。</translation>
    </message>
    <message>
        <source>No payment of this ticket to print.</source>
        <translation>此服务单没有可打印的收款。</translation>
    </message>
    <message>
        <source>Not handed over: please correct the marked fields.</source>
        <translation>未取机：请更正标记的字段。</translation>
    </message>
    <message>
        <source>Not handed over.</source>
        <translation>未取机。</translation>
    </message>
</context>
<context>
    <name>PlaceholderPage</name>
    <message>
        <source>This part of StationCRM is coming with issue {number}.</source>
        <translation>StationCRM 的这一部分将随第 {number} 号任务提供。</translation>
    </message>
    <message>
        <source>This part of StationCRM is coming in a later version.</source>
        <translation>StationCRM 的这一部分将在后续版本中提供。</translation>
    </message>
</context>
<context>
    <name>PlanPage</name>
    <message>
        <source>Hand over to whom?</source>
        <translation>移交给谁？</translation>
    </message>
    <message>
        <source>Each customer&apos;s open records go with the customer to its new owner.</source>
        <translation>每个客户的未结记录随客户一起移交给新的负责人。</translation>
    </message>
    <message>
        <source>All to one user</source>
        <translation>全部移交给一人</translation>
    </message>
    <message>
        <source>Evenly among the checked users</source>
        <translation>平均分给勾选的用户</translation>
    </message>
    <message>
        <source>By customer class</source>
        <translation>按客户分类</translation>
    </message>
    <message>
        <source>No customers: nothing to split by class.</source>
        <translation>没有客户，无需按分类移交。</translation>
    </message>
    <message>
        <source>Choose a user</source>
        <translation>请选择用户</translation>
    </message>
    <message>
        <source>{klass} ({count} customers):</source>
        <translation>{klass}（{count} 个客户）：</translation>
    </message>
    <message>
        <source>All to {name}</source>
        <translation>全部移交给 {name}</translation>
    </message>
    <message>
        <source>Evenly among {names}</source>
        <translation>平均分给 {names}</translation>
    </message>
    <message>
        <source>By customer class: {pairs}</source>
        <translation>按客户分类：{pairs}</translation>
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <source>What they are responsible for</source>
        <translation>其负责的记录</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>For example</source>
        <translation>示例</translation>
    </message>
    <message>
        <source>Records {name} owns or is assigned now. Closed records stay theirs as history.</source>
        <translation>{name} 目前负责或被分派的记录。已结束的记录作为历史仍归其名下。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>{name} is responsible for {count} records.</source>
        <translation>{name} 负责 {count} 条记录。</translation>
    </message>
    <message>
        <source>{name} is responsible for nothing: the account can be deactivated straight away.</source>
        <translation>{name} 没有负责的记录，可以直接停用账号。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
    <message>
        <source>Preparing the document…</source>
        <translation>正在生成单据…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Paper:</source>
        <translation>纸张：</translation>
    </message>
    <message>
        <source>Sent {count} page(s) to the printer.</source>
        <translation>已发送 {count} 页到打印机。</translation>
    </message>
    <message>
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>Sending to the printer…</source>
        <translation>正在发送到打印机…</translation>
    </message>
    <message>
        <source>The file could not be written: {reason}</source>
        <translation>无法写入文件：{reason}</translation>
    </message>
    <message>
        <source>Sent to printer {queue}.</source>
        <translation>已发送到打印机 {queue}。</translation>
    </message>
    <message>
        <source>Sent to the printer.</source>
        <translation>已发送到打印机。</translation>
    </message>
    <message>
        <source>Not printed.</source>
        <translation>未打印。</translation>
    </message>
    <message>
        <source>Not printed</source>
        <translation>未打印</translation>
    </message>
    <message>
        <source>Print preview – {number}</source>
        <translation>打印预览 – {number}</translation>
    </message>
    <message>
        <source>{count} page(s)</source>
        <translation>共 {count} 页</translation>
    </message>
    <message>
        <source>The document could not be prepared.</source>
        <translation>无法生成单据。</translation>
    </message>
</context>
<context>
    <name>Printing</name>
    <message>
        <source>The print system (CUPS) is not installed on this computer: the lp command is missing.</source>
        <translation>本机未安装打印系统（CUPS）：找不到 lp 命令。</translation>
    </message>
    <message>
        <source>The print system did not answer within {seconds} s.</source>
        <translation>打印系统在 {seconds} 秒内没有响应。</translation>
    </message>
    <message>
        <source>The print system could not be started: {reason}</source>
        <translation>无法启动打印系统：{reason}</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认打印机）</translation>
    </message>
    <message>
        <source>Printer {queue} did not take the document: {reason}</source>
        <translation>打印机 {queue} 未接收文档：{reason}</translation>
    </message>
    <message>
        <source>The printer could not be started.</source>
        <translation>无法启动打印机。</translation>
    </message>
    <message>
        <source>The document could not be printed: {reason}</source>
        <translation>文档无法打印：{reason}</translation>
    </message>
</context>
<context>
    <name>ProductDialog</name>
    <message>
        <source>New product</source>
        <translation>新建产品</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>In the catalog (active)</source>
        <translation>在售（启用）</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>销售价</translation>
    </message>
    <message>
        <source>Sales points</source>
        <translation>销售点数</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Cost price</source>
        <translation>成本价</translation>
    </message>
    <message>
        <source>Product {sku}</source>
        <translation>产品 {sku}</translation>
    </message>
    <message>
        <source>Could not load the product.</source>
        <translation>无法加载该产品。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
<context>
    <name>ProductListPage</name>
    <message>
        <source>SKU, name, pinyin initials, brand…</source>
        <translation>产品编码、名称、拼音首字母、品牌…</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>Show inactive</source>
        <translation>显示停用产品</translation>
    </message>
    <message>
        <source>New product</source>
        <translation>新建产品</translation>
    </message>
    <message>
        <source>Category:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>Bring products in from an Excel or CSV sheet</source>
        <translation>从 Excel 或 CSV 表格导入产品</translation>
    </message>
    <message>
        <source> (inactive)</source>
        <translation>（已停用）</translation>
    </message>
    <message>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Brand / model</source>
        <translation>品牌 / 型号</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <source>List price</source>
        <translation>销售价</translation>
    </message>
    <message>
        <source>Sales points</source>
        <translation>销售点数</translation>
    </message>
    <message>
        <source>Cost price</source>
        <translation>成本价</translation>
    </message>
</context>
<context>
    <name>QuotationDialog</name>
    <message>
        <source>New quotation</source>
        <translation>新建报价单</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Converting to an order…</source>
        <translation>正在转为订单…</translation>
    </message>
    <message>
        <source>e.g. prices include VAT, delivery included</source>
        <translation>例如：含税价，送货上门</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Quotation date</source>
        <translation>报价日期</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Terms</source>
        <translation>报价条款</translation>
    </message>
    <message>
        <source>Convert to order</source>
        <translation>转为订单</translation>
    </message>
    <message>
        <source>Quotation {number}</source>
        <translation>报价单 {number}</translation>
    </message>
    <message>
        <source>Could not load the quotation.</source>
        <translation>无法加载报价单。</translation>
    </message>
    <message>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
    <message>
        <source>Order {number} was made from this quotation.</source>
        <translation>已由此报价单生成订单 {number}。</translation>
    </message>
</context>
<context>
    <name>QuotationListPage</name>
    <message>
        <source>New quotation</source>
        <translation>新建报价单</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Export quotations</source>
        <translation>导出报价单</translation>
    </message>
</context>
<context>
    <name>ReadTrailDialog</name>
    <message>
        <source>What {person} read on {day}</source>
        <translation>{person} 在 {day} 查看的内容</translation>
    </message>
    <message>
        <source>{person} · {day}</source>
        <translation>{person} · {day}</translation>
    </message>
    <message>
        <source>Enter or double-click opens the customer&apos;s 360° view.</source>
        <translation>按 Enter 或双击打开客户的360视图。</translation>
    </message>
    <message>
        <source>{reads} reads, {cards} customers opened</source>
        <translation>共 {reads} 条记录，打开客户 {cards} 个</translation>
    </message>
</context>
<context>
    <name>ReassignWizard</name>
    <message>
        <source>Customer reassignment</source>
        <translation>客户移交</translation>
    </message>
    <message>
        <source>deactivated</source>
        <translation>已停用</translation>
    </message>
</context>
<context>
    <name>ReceivablesAgingPage</name>
    <message>
        <source>Receivables aging</source>
        <translation>应收款账龄</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>As of:</source>
        <translation>截至：</translation>
    </message>
    <message>
        <source>Import opening balances…</source>
        <translation>导入期初应收…</translation>
    </message>
    <message>
        <source>Days past the due date (the order date where none is set). Enter opens the customer.</source>
        <translation>按超过到期日的天数（未设到期日时按订单日期）。按回车打开客户。</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>0–30 days</source>
        <translation>0–30 天</translation>
    </message>
    <message>
        <source>31–60 days</source>
        <translation>31–60 天</translation>
    </message>
    <message>
        <source>61–90 days</source>
        <translation>61–90 天</translation>
    </message>
    <message>
        <source>Over 90 days</source>
        <translation>90 天以上</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>{count} customers owe {amount}</source>
        <translation>{count} 个客户欠款 {amount}</translation>
    </message>
    <message>
        <source>Nothing is owed.</source>
        <translation>没有应收款。</translation>
    </message>
</context>
<context>
    <name>RecordChooser</name>
    <message>
        <source>Nothing found</source>
        <translation>未找到</translation>
    </message>
</context>
<context>
    <name>RecordDialog</name>
    <message>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍保留在这里。</translation>
    </message>
</context>
<context>
    <name>RecordVisitDialog</name>
    <message>
        <source>Record visit</source>
        <translation>拜访记录</translation>
    </message>
    <message>
        <source>(nobody in particular)</source>
        <translation>（未指定联系人）</translation>
    </message>
    <message>
        <source>YYYY-MM-DD, or 3 = in 3 days</source>
        <translation>YYYY-MM-DD，或 3 = 三天后</translation>
    </message>
    <message>
        <source>Customer:</source>
        <translation>客户：</translation>
    </message>
    <message>
        <source>Contact met:</source>
        <translation>拜访对象：</translation>
    </message>
    <message>
        <source>Topic:</source>
        <translation>拜访主题：</translation>
    </message>
    <message>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>RepairCorrectionDialog</name>
    <message>
        <source>Correct repair record</source>
        <translation>改正维修记录</translation>
    </message>
    <message>
        <source>Returned with</source>
        <translation>退回意见</translation>
    </message>
    <message>
        <source>Work done</source>
        <translation>维修内容</translation>
    </message>
    <message>
        <source>Cause</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>维修结果</translation>
    </message>
    <message>
        <source>Save and resubmit</source>
        <translation>保存并重新提交</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Correct repair record {number}</source>
        <translation>改正维修记录 {number}</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>RepairDialog</name>
    <message>
        <source>Repair record {number}</source>
        <translation>维修记录 {number}</translation>
    </message>
    <message>
        <source>Not rated</source>
        <translation>未评价</translation>
    </message>
    <message>
        <source>Work done</source>
        <translation>维修内容</translation>
    </message>
    <message>
        <source>Cause of failure</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>维修结果</translation>
    </message>
    <message>
        <source>Job type</source>
        <translation>服务类型</translation>
    </message>
    <message>
        <source>Difficulty</source>
        <translation>难度</translation>
    </message>
    <message>
        <source>Labour minutes</source>
        <translation>工时（分钟）</translation>
    </message>
    <message>
        <source>Labour charge</source>
        <translation>工时费</translation>
    </message>
    <message>
        <source>Customer rating</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <source>Parts used</source>
        <translation>使用配件</translation>
    </message>
    <message>
        <source>SKU, name or pinyin initials</source>
        <translation>编码、名称或拼音首字母</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Add part</source>
        <translation>添加配件</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>配件</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Solutions from the knowledge base</source>
        <translation>知识库解决方案</translation>
    </message>
    <message>
        <source>Write a new entry…</source>
        <translation>新写一条…</translation>
    </message>
    <message>
        <source>The customer also needs…</source>
        <translation>客户再需求…</translation>
    </message>
    <message>
        <source>e.g. a new toner cartridge</source>
        <translation>例如：新硒鼓</translation>
    </message>
    <message>
        <source>What:</source>
        <translation>需求：</translation>
    </message>
    <message>
        <source>Expected amount:</source>
        <translation>预计金额：</translation>
    </message>
    <message>
        <source>Save repair record</source>
        <translation>保存维修记录</translation>
    </message>
    <message>
        <source>Under contract: labour and parts free.</source>
        <translation>在保：人工和配件全免。</translation>
    </message>
    <message>
        <source>Under contract: labour free, parts charged.</source>
        <translation>在保：仅人工免费，配件收费。</translation>
    </message>
    <message>
        <source>Chargeable.</source>
        <translation>收费维修。</translation>
    </message>
    <message>
        <source>{cover} Labour {labour} (charged {labour_charged}) + parts {parts} (charged {parts_charged}) = the customer pays {total}</source>
        <translation>{cover}人工 {labour}（收费 {labour_charged}）+ 配件 {parts}（收费 {parts_charged}）= 客户应付 {total}</translation>
    </message>
    <message>
        <source>Looking for solutions…</source>
        <translation>正在查找解决方案…</translation>
    </message>
    <message>
        <source>(no entry linked)</source>
        <translation>（不关联条目）</translation>
    </message>
    <message>
        <source>{count} suggested; select the one you followed.</source>
        <translation>推荐 {count} 条；请选择所采用的一条。</translation>
    </message>
    <message>
        <source>No approved solution for this model and symptom yet.</source>
        <translation>该型号和故障暂无已审核的解决方案。</translation>
    </message>
    <message>
        <source>Entry {number} submitted for approval.</source>
        <translation>条目 {number} 已提交审核。</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <source>No product found</source>
        <translation>未找到产品</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Service score: {score}</source>
        <translation>服务分值：{score}</translation>
    </message>
    <message>
        <source>Saved: the customer pays {total} (labour {labour_charged} + parts {parts_charged}).</source>
        <translation>已保存：客户应付 {total}（人工 {labour_charged} + 配件 {parts_charged}）。</translation>
    </message>
    <message>
        <source>Saved; the ticket is repaired.</source>
        <translation>已保存，服务单已修复。</translation>
    </message>
    <message>
        <source>Re-need passed on as {number}.</source>
        <translation>客户再需求已转为商机 {number}。</translation>
    </message>
    <message>
        <source>Saved, but the re-need was not passed on: {error}</source>
        <translation>已保存，但客户再需求未能转出：{error}</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。已填写的内容仍保留。</translation>
    </message>
</context>
<context>
    <name>RepairRecordDialog</name>
    <message>
        <source>Repair record</source>
        <translation>维修记录</translation>
    </message>
    <message>
        <source>Technician:</source>
        <translation>维修工程师：</translation>
    </message>
    <message>
        <source>Completed:</source>
        <translation>完成时间：</translation>
    </message>
    <message>
        <source>Job type:</source>
        <translation>作业类型：</translation>
    </message>
    <message>
        <source>Cause:</source>
        <translation>故障原因：</translation>
    </message>
    <message>
        <source>Result:</source>
        <translation>维修结果：</translation>
    </message>
    <message>
        <source>Time spent:</source>
        <translation>用时：</translation>
    </message>
    <message>
        <source>Labour:</source>
        <translation>工时费：</translation>
    </message>
    <message>
        <source>Parts:</source>
        <translation>配件费：</translation>
    </message>
    <message>
        <source>Charge:</source>
        <translation>收费合计：</translation>
    </message>
    <message>
        <source>Parts cost:</source>
        <translation>配件成本：</translation>
    </message>
    <message>
        <source>Customer rating:</source>
        <translation>客户评价：</translation>
    </message>
    <message>
        <source>Service score:</source>
        <translation>服务分值：</translation>
    </message>
    <message>
        <source>State:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Work done:</source>
        <translation>维修内容：</translation>
    </message>
    <message>
        <source>Part</source>
        <translation>配件</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Unit cost</source>
        <translation>成本价</translation>
    </message>
    <message>
        <source>Open ticket</source>
        <translation>打开服务单</translation>
    </message>
    <message>
        <source>Parts used:</source>
        <translation>所用配件：</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Repair record {number}</source>
        <translation>维修记录 {number}</translation>
    </message>
    <message>
        <source>Symptoms: {text}</source>
        <translation>故障现象：{text}</translation>
    </message>
    <message>
        <source>{job}, difficulty {level}</source>
        <translation>{job}，难度 {level}</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} 小时 {minutes} 分钟</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <source>on time</source>
        <translation>按时</translation>
    </message>
    <message>
        <source>late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>{state} — {who}, {when}</source>
        <translation>{state} — {who}，{when}</translation>
    </message>
    <message>
        <source>Returned by {who} on {when}: {comment}</source>
        <translation>{who} 于 {when} 退回：{comment}</translation>
    </message>
    <message>
        <source>No parts used.</source>
        <translation>未用配件。</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <source>Hand-over</source>
        <translation>移交</translation>
    </message>
    <message>
        <source>Who received what.</source>
        <translation>各接收人收到的记录。</translation>
    </message>
    <message>
        <source>Received by</source>
        <translation>接收人</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录数</translation>
    </message>
    <message>
        <source>Handing over…</source>
        <translation>正在移交…</translation>
    </message>
    <message>
        <source>{count} records of {name} handed over.</source>
        <translation>{name} 的 {count} 条记录已移交。</translation>
    </message>
    <message>
        <source>The account is deactivated.</source>
        <translation>该账号已停用。</translation>
    </message>
    <message>
        <source>Nothing was changed; go back to adjust the plan.</source>
        <translation>没有做任何修改；请返回调整移交方式。</translation>
    </message>
</context>
<context>
    <name>ReturnDialog</name>
    <message>
        <source>Return for rework</source>
        <translation>退回修改</translation>
    </message>
    <message>
        <source>Return {number} to {author} for rework. It is not suggested until it is submitted and approved again.</source>
        <translation>将 {number} 退回给 {author} 修改。重新提交并审核通过之前不会被推荐。</translation>
    </message>
    <message>
        <source>What should the author change? (required)</source>
        <translation>请写明需要修改的地方（必填）</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>退回</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Reason for returning:</source>
        <translation>退回原因：</translation>
    </message>
</context>
<context>
    <name>RoleMatrixWidget</name>
    <message>
        <source>Data scope</source>
        <translation>数据范围</translation>
    </message>
    <message>
        <source>Protected fields</source>
        <translation>受保护字段</translation>
    </message>
    <message>
        <source>Choose for each protected field: visible, read-only or hidden</source>
        <translation>为每个受保护字段选择：可见、只读或隐藏</translation>
    </message>
</context>
<context>
    <name>RoleNameDialog</name>
    <message>
        <source>New role</source>
        <translation>新建角色</translation>
    </message>
    <message>
        <source>Rename role</source>
        <translation>重命名角色</translation>
    </message>
    <message>
        <source>(no permissions)</source>
        <translation>（无权限）</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Name (Chinese)</source>
        <translation>中文名称</translation>
    </message>
    <message>
        <source>Name (English)</source>
        <translation>英文名称</translation>
    </message>
    <message>
        <source>Copy permissions from</source>
        <translation>复制权限自</translation>
    </message>
</context>
<context>
    <name>RolesTab</name>
    <message>
        <source>New role…</source>
        <translation>新建角色…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>View as user…</source>
        <translation>以用户身份预览…</translation>
    </message>
    <message>
        <source>Roles</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Tick what the role may do in each module. Changes apply to its users at their next action.</source>
        <translation>勾选该角色在各模块中可执行的操作。修改从其用户的下一步操作起生效。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <source>(default)</source>
        <translation>（默认）</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <source>The permissions of this role have unsaved changes. Discard them?</source>
        <translation>此角色的权限有未保存的修改，放弃吗？</translation>
    </message>
    <message>
        <source>{role} — {count} active users</source>
        <translation>{role} — {count} 个在职用户</translation>
    </message>
    <message>
        <source>Unsaved changes (Ctrl+S saves).</source>
        <translation>有未保存的修改（Ctrl+S 保存）。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved. The role&apos;s users have the new permissions from their next action.</source>
        <translation>已保存。该角色的用户从下一步操作起使用新权限。</translation>
    </message>
    <message>
        <source>Someone else changed this role: reloaded; make your changes again.</source>
        <translation>其他人修改了此角色，已重新载入，请重新修改。</translation>
    </message>
    <message>
        <source>Delete role</source>
        <translation>删除角色</translation>
    </message>
    <message>
        <source>Delete the role {role}? This cannot be undone.</source>
        <translation>删除角色 {role}？删除后无法恢复。</translation>
    </message>
</context>
<context>
    <name>RoutingPage</name>
    <message>
        <source>Opportunities waiting for a salesperson</source>
        <translation>待分派的商机</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Need</source>
        <translation>需求</translation>
    </message>
    <message>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <source>Credited technician</source>
        <translation>提供线索的工程师</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Assign to:</source>
        <translation>分派给：</translation>
    </message>
    <message>
        <source>Assign</source>
        <translation>分派</translation>
    </message>
    <message>
        <source>Give the selected opportunities to this salesperson (Ctrl+Enter)</source>
        <translation>把选中的商机分派给该业务员（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>Round-robin</source>
        <translation>轮流分派</translation>
    </message>
    <message>
        <source>Spread the selected opportunities among the active salespeople in turn</source>
        <translation>把选中的商机依次轮流分派给在职业务员</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Reload the queue (F5)</source>
        <translation>重新载入待分派列表（F5）</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <source>Assigning…</source>
        <translation>正在分派…</translation>
    </message>
    <message>
        <source>{count} waiting</source>
        <translation>{count} 条待分派</translation>
    </message>
    <message>
        <source>No opportunity is waiting to be routed.</source>
        <translation>没有待分派的商机。</translation>
    </message>
    <message>
        <source>There is no active salesperson to assign to.</source>
        <translation>没有可分派的在职业务员。</translation>
    </message>
    <message>
        <source>{count} assigned to {names}.</source>
        <translation>已分派 {count} 条给 {names}。</translation>
    </message>
</context>
<context>
    <name>RulesDialog</name>
    <message>
        <source>Score and SLA rules</source>
        <translation>评分与时限规则</translation>
    </message>
    <message>
        <source>Score of a job = points of its type × difficulty + (rating − 3) × points per star + on-time bonus (or − late penalty), never below the lowest score. The SLA due time is the intake time plus the hours of its priority. Changes apply to tickets taken in and repairs recorded from now on.</source>
        <translation>服务分值 = 作业类型分值 × 难度 +（客户评价 − 3）× 每星分值 + 按时完成加分（超时则减去超时减分），不低于单次作业最低分。服务时限 = 接单时间 + 该优先级的小时数。修改后对之后接单的服务单和之后填写的维修记录生效。</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>小时</translation>
    </message>
    <message>
        <source>Job type</source>
        <translation>作业类型</translation>
    </message>
    <message>
        <source>Points</source>
        <translation>分值</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>SLA due time per priority</source>
        <translation>各优先级服务时限</translation>
    </message>
    <message>
        <source>Points per job type</source>
        <translation>各作业类型分值</translation>
    </message>
    <message>
        <source>Adjustments</source>
        <translation>加减分</translation>
    </message>
    <message>
        <source>Fill in the defaults</source>
        <translation>填入默认值</translation>
    </message>
    <message>
        <source>The defaults are filled in; save to use them.</source>
        <translation>已填入默认值，保存后生效。</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>The defaults apply; nothing was saved yet.</source>
        <translation>目前使用默认值，尚未保存过。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved. New tickets and repairs use these rules.</source>
        <translation>已保存。之后的服务单和维修记录使用这些规则。</translation>
    </message>
    <message>
        <source>Not saved: {errors}</source>
        <translation>未保存：{errors}</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <source>Importing</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <source>Stop after this chunk</source>
        <translation>写完这一批后停止</translation>
    </message>
    <message>
        <source>Undo this import</source>
        <translation>撤销本次导入</translation>
    </message>
    <message>
        <source>Stopping after the chunk being written…</source>
        <translation>正在写入的这一批完成后停止…</translation>
    </message>
    <message>
        <source>Writing {count} rows…</source>
        <translation>正在写入 {count} 行……</translation>
    </message>
    <message>
        <source>{created} created, {updated} updated, {skipped} skipped, {refused} rows not imported.</source>
        <translation>新建 {created} 个，更新 {updated} 个，跳过 {skipped} 行，{refused} 行未导入。</translation>
    </message>
    <message>
        <source>Stopped. What was written so far stays (undo removes it).</source>
        <translation>已停止。已写入的数据保留（撤销可将其删除）。</translation>
    </message>
    <message>
        <source>The chunks written before stay; the import can be undone from its batch.</source>
        <translation>之前写入的批次保留；可以按导入批次撤销。</translation>
    </message>
    <message>
        <source>Undoing the import…</source>
        <translation>正在撤销导入…</translation>
    </message>
    <message>
        <source>Import undone: {count} records removed or restored.</source>
        <translation>导入已撤销：删除或还原 {count} 条记录。</translation>
    </message>
    <message>
        <source>Kept, because they were used or changed since:</source>
        <translation>以下记录在导入后已被使用或修改，予以保留：</translation>
    </message>
</context>
<context>
    <name>SalesPlanPage</name>
    <message>
        <source>Everyone</source>
        <translation>全部销售</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <source>Planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <source>Actual</source>
        <translation>实际</translation>
    </message>
    <message>
        <source>Achieved</source>
        <translation>完成率</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>订单数</translation>
    </message>
    <message>
        <source>Gross margin</source>
        <translation>毛利</translation>
    </message>
    <message>
        <source>Year:</source>
        <translation>年度：</translation>
    </message>
    <message>
        <source>Salesperson:</source>
        <translation>销售人员：</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Q{n}</source>
        <translation>第{n}季度</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Double-click a planned amount to change it.</source>
        <translation>双击计划金额即可修改。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Plan not saved: {message}</source>
        <translation>计划未保存：{message}</translation>
    </message>
</context>
<context>
    <name>Saving</name>
    <message>
        <source>Saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <source>Saved. The connection dropped while saving, but the record had reached the server. Nothing was saved twice.</source>
        <translation>已保存。保存时连接中断，但记录已到达服务器，没有重复保存。</translation>
    </message>
    <message>
        <source>Checking the save</source>
        <translation>正在核对保存</translation>
    </message>
    <message>
        <source>The connection dropped while saving. StationCRM is asking the server whether the record was saved and will tell you. What you typed stays on screen.</source>
        <translation>保存时连接中断。StationCRM 正在向服务器核对这条记录是否已保存，稍后告诉您结果。您输入的内容仍保留在屏幕上。</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <source>The company server</source>
        <translation>公司服务器</translation>
    </message>
    <message>
        <source>Ask the administrator for these. The user name and password are used only to test the connection here and are not saved.</source>
        <translation>这些信息请向系统管理员索取。用户名和密码只用于在此测试连接，不会保存。</translation>
    </message>
    <message>
        <source>e.g. crm-server or 192.168.1.10</source>
        <translation>例如：crm-server 或 192.168.1.10</translation>
    </message>
    <message>
        <source>&amp;Windows login (integrated)</source>
        <translation>Windows 登录（集成身份验证）(&amp;W)</translation>
    </message>
    <message>
        <source>SQL Server &amp;login</source>
        <translation>SQL Server 登录(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Server type:</source>
        <translation>服务器类型(&amp;S)：</translation>
    </message>
    <message>
        <source>&amp;Host:</source>
        <translation>主机(&amp;H)：</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Database:</source>
        <translation>数据库(&amp;D)：</translation>
    </message>
    <message>
        <source>Authentication:</source>
        <translation>身份验证：</translation>
    </message>
    <message>
        <source>ODBC &amp;driver:</source>
        <translation>ODBC 驱动程序(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <source>Windows says who you are: nothing to type. Each person logs in to SQL Server with their own Windows account.</source>
        <translation>由 Windows 确认您的身份，无需输入。每个人都用自己的 Windows 账户登录 SQL Server。</translation>
    </message>
    <message>
        <source>A SQL Server login to test the connection with (yours, or the administrator&apos;s to create the database). People log in with their own.</source>
        <translation>用于测试连接的 SQL Server 登录账户（您自己的；如要创建数据库，则用管理员的）。每个人以后用自己的账户登录。</translation>
    </message>
    <message>
        <source>A PostgreSQL login to test the connection with (yours, or the database owner&apos;s to create the database). People log in with their own.</source>
        <translation>用于测试连接的 PostgreSQL 登录账户（您自己的；如要创建数据库，则用数据库所有者的）。每个人以后用自己的账户登录。</translation>
    </message>
</context>
<context>
    <name>ServiceRules</name>
    <message>
        <source>Per star of customer rating above / below 3</source>
        <translation>客户评价每高于／低于 3 星一星</translation>
    </message>
    <message>
        <source>Bonus when done on time</source>
        <translation>按时完成加分</translation>
    </message>
    <message>
        <source>Penalty when done late</source>
        <translation>超时完成减分</translation>
    </message>
    <message>
        <source>Lowest score of a job</source>
        <translation>单次作业最低分</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Set up this PC — StationCRM</source>
        <translation>设置本机 — StationCRM</translation>
    </message>
</context>
<context>
    <name>StatChartView</name>
    <message>
        <source>No data</source>
        <translation>无数据</translation>
    </message>
</context>
<context>
    <name>StatTableModel</name>
    <message>
        <source>Double-click or Enter: the records behind this number</source>
        <translation>双击或回车：查看此数字背后的单据</translation>
    </message>
</context>
<context>
    <name>StationPage</name>
    <message>
        <source>This PC&apos;s station</source>
        <translation>本机站点</translation>
    </message>
    <message>
        <source>The station opens on its department&apos;s modules. What each person may do comes from their role.</source>
        <translation>站点打开时显示其部门的模块；每个人能做什么由其角色决定。</translation>
    </message>
    <message>
        <source>&amp;Station:</source>
        <translation>站点(&amp;S)：</translation>
    </message>
    <message>
        <source>This PC only: {file}</source>
        <translation>仅本机：{file}</translation>
    </message>
    <message>
        <source>Server: {address}</source>
        <translation>服务器：{address}</translation>
    </message>
    <message>
        <source>Finish saves this and opens the login, where each person logs in with their own user name and password.</source>
        <translation>点击“完成”保存设置并打开登录窗口，每个人用自己的用户名和密码登录。</translation>
    </message>
</context>
<context>
    <name>StatisticsPage</name>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>This quarter</source>
        <translation>本季度</translation>
    </message>
    <message>
        <source>This year</source>
        <translation>本年</translation>
    </message>
    <message>
        <source>Last quarter</source>
        <translation>上季度</translation>
    </message>
    <message>
        <source>Custom dates</source>
        <translation>自定日期</translation>
    </message>
    <message>
        <source>Customer base protection</source>
        <translation>客户资源安全</translation>
    </message>
    <message>
        <source>All departments</source>
        <translation>全部部门</translation>
    </message>
    <message>
        <source>Everyone</source>
        <translation>全部人员</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>View:</source>
        <translation>查看方式：</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Compute again (F5)</source>
        <translation>重新计算（F5）</translation>
    </message>
    <message>
        <source>Export Excel…</source>
        <translation>导出 Excel…</translation>
    </message>
    <message>
        <source>Save this statistic as an Excel file (Ctrl+E)</source>
        <translation>把本统计保存为 Excel 文件（Ctrl+E）</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Save this statistic as a PDF file (Ctrl+Shift+E)</source>
        <translation>把本统计保存为 PDF 文件（Ctrl+Shift+E）</translation>
    </message>
    <message>
        <source>Your role may not export statistics.</source>
        <translation>您的角色无权导出统计。</translation>
    </message>
    <message>
        <source>Period:</source>
        <translation>期间：</translation>
    </message>
    <message>
        <source>From:</source>
        <translation>从：</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>至：</translation>
    </message>
    <message>
        <source>Department:</source>
        <translation>部门：</translation>
    </message>
    <message>
        <source>Person:</source>
        <translation>人员：</translation>
    </message>
    <message>
        <source>Customer class:</source>
        <translation>客户分类：</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>客户来源：</translation>
    </message>
    <message>
        <source>Product category:</source>
        <translation>产品类别：</translation>
    </message>
    <message>
        <source>Blue numbers: Enter or double-click lists the records behind them. Ctrl+1…6 switch the statistic, F5 computes again.</source>
        <translation>蓝色数字：按回车或双击可查看其背后的单据。Ctrl+1…6 切换统计，F5 重新计算。</translation>
    </message>
    <message>
        <source>Blue numbers: Enter or double-click lists the records behind them. Ctrl+1…6 switch the statistic, Ctrl+7 shows customer base protection, F5 computes again.</source>
        <translation>蓝色数字：按回车或双击可查看其背后的单据。Ctrl+1…6 切换统计，Ctrl+7 查看客户资源安全，F5 重新计算。</translation>
    </message>
    <message>
        <source>Does not apply to this statistic.</source>
        <translation>本统计不使用此条件。</translation>
    </message>
    <message>
        <source>Computing…</source>
        <translation>正在计算…</translation>
    </message>
    <message>
        <source>{start} to {end}</source>
        <translation>{start} 至 {end}</translation>
    </message>
    <message>
        <source>This statistic is not available yet.</source>
        <translation>此统计暂不可用。</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <source>Export PDF</source>
        <translation>导出 PDF</translation>
    </message>
    <message>
        <source>Excel files (*.xlsx)</source>
        <translation>Excel 文件 (*.xlsx)</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Saved to {path}</source>
        <translation>已保存到 {path}</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
</context>
<context>
    <name>TaskListTab</name>
    <message>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <source>My department</source>
        <translation>本部门</translation>
    </message>
    <message>
        <source>All I may see</source>
        <translation>全部（我可见的）</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>只看超时</translation>
    </message>
    <message>
        <source>Show closed</source>
        <translation>显示已结束</translation>
    </message>
    <message>
        <source>New task…</source>
        <translation>新建任务…</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>Report done…</source>
        <translation>报告完成…</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Reopen…</source>
        <translation>退回重办…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Change the task you assigned (Ctrl+E)</source>
        <translation>修改您分派的任务（Ctrl+E）</translation>
    </message>
    <message>
        <source>Cancel task</source>
        <translation>取消任务</translation>
    </message>
    <message>
        <source>Show:</source>
        <translation>显示：</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>Task</source>
        <translation>工作任务</translation>
    </message>
    <message>
        <source>Assignee</source>
        <translation>执行人</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Due on</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>Assigned by</source>
        <translation>下达人</translation>
    </message>
    <message>
        <source>No tasks.</source>
        <translation>没有工作任务。</translation>
    </message>
    <message>
        <source>{shown} of {total} tasks shown, {overdue} of them overdue.</source>
        <translation>显示 {shown} / 共 {total} 项任务，其中 {overdue} 项已逾期。</translation>
    </message>
    <message>
        <source>{shown} of {total} tasks shown.</source>
        <translation>显示 {shown} / 共 {total} 项任务。</translation>
    </message>
    <message>
        <source>{count} tasks, {overdue} of them overdue.</source>
        <translation>{count} 项任务，其中 {overdue} 项超时。</translation>
    </message>
    <message>
        <source>{count} tasks.</source>
        <translation>{count} 项任务。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Report: {report}</source>
        <translation>完成报告：{report}</translation>
    </message>
</context>
<context>
    <name>TaskPrompts</name>
    <message>
        <source>Report done</source>
        <translation>报告完成</translation>
    </message>
    <message>
        <source>What was done?</source>
        <translation>做了什么？</translation>
    </message>
    <message>
        <source>Reopen task</source>
        <translation>退回重办</translation>
    </message>
    <message>
        <source>What is still missing?</source>
        <translation>还缺什么？</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>退回重办</translation>
    </message>
</context>
<context>
    <name>TextPromptDialog</name>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Please write something here.</source>
        <translation>请在这里填写内容。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍在。</translation>
    </message>
</context>
<context>
    <name>TicketDialog</name>
    <message>
        <source>Service ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请改正标出的字段。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Service mode</source>
        <translation>服务方式</translation>
    </message>
    <message>
        <source>Symptoms</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <source>Accessories</source>
        <translation>随机附件</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <source>Scheduled</source>
        <translation>预约时间</translation>
    </message>
    <message>
        <source>Site address</source>
        <translation>上门地址</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>服务时限</translation>
    </message>
    <message>
        <source>Charge</source>
        <translation>费用</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>自定义字段</translation>
    </message>
    <message>
        <source>Save fields</source>
        <translation>保存字段</translation>
    </message>
    <message>
        <source>Save the custom fields (Ctrl+S)</source>
        <translation>保存自定义字段（Ctrl+S）</translation>
    </message>
    <message>
        <source>Dispatch…</source>
        <translation>派工…</translation>
    </message>
    <message>
        <source>Record repair…</source>
        <translation>填写维修记录…</translation>
    </message>
    <message>
        <source>Status history</source>
        <translation>状态记录</translation>
    </message>
    <message>
        <source>Service ticket {number}</source>
        <translation>服务单 {number}</translation>
    </message>
    <message>
        <source>On site</source>
        <translation>上门</translation>
    </message>
    <message>
        <source>Brought in</source>
        <translation>送修</translation>
    </message>
    <message>
        <source>Covered by contract</source>
        <translation>合同保修内</translation>
    </message>
    <message>
        <source>{amount} (labour free under contract, parts charged)</source>
        <translation>{amount}（合同内人工免费，配件收费）</translation>
    </message>
    <message>
        <source>Paid {paid}  Open {open}</source>
        <translation>已付 {paid}  未付 {open}</translation>
    </message>
    <message>
        <source>{from_status} → {to_status}</source>
        <translation>{from_status} → {to_status}</translation>
    </message>
    <message>
        <source>{at}  {step}  by {name}</source>
        <translation>{at}  {step}  操作人：{name}</translation>
    </message>
    <message>
        <source>{at}  Scheduled visit</source>
        <translation>{at}  预约上门</translation>
    </message>
    <message>
        <source>Could not load the ticket.</source>
        <translation>无法加载服务单。</translation>
    </message>
    <message>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>TicketListPage</name>
    <message>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Still open</source>
        <translation>未完成</translation>
    </message>
    <message>
        <source>Mine only</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <source>Overdue only</source>
        <translation>只看超时</translation>
    </message>
    <message>
        <source>New intake…</source>
        <translation>新接单…</translation>
    </message>
    <message>
        <source>Pickup…</source>
        <translation>取机…</translation>
    </message>
    <message>
        <source>Score and SLA rules…</source>
        <translation>评分与时限规则…</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>接单时间</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>服务时限</translation>
    </message>
    <message>
        <source>Export service tickets</source>
        <translation>导出服务单</translation>
    </message>
</context>
<context>
    <name>TimelineEntryDialog</name>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>:</source>
        <translation>：</translation>
    </message>
    <message>
        <source>This is a summary. The full screen for this record comes with the &quot;{module}&quot; module.</source>
        <translation>这里只显示摘要。完整的单据界面将随“{module}”模块提供。</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <source>Local time</source>
        <translation>本地时间</translation>
    </message>
</context>
<context>
    <name>TodoPage</name>
    <message>
        <source>To-do today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>期限</translation>
    </message>
    <message>
        <source>To do</source>
        <translation>待办事项</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>详情</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>接收</translation>
    </message>
    <message>
        <source>Report done…</source>
        <translation>报告完成…</translation>
    </message>
    <message>
        <source>Resubmit</source>
        <translation>重新提交</translation>
    </message>
    <message>
        <source>Submit the corrected record to management</source>
        <translation>把改正后的记录重新提交管理部确认</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Accept the work reported done</source>
        <translation>确认已报告完成的工作</translation>
    </message>
    <message>
        <source>Reopen…</source>
        <translation>退回重办…</translation>
    </message>
    <message>
        <source>Send the task back with what is still missing</source>
        <translation>退回任务，并写明还缺什么</translation>
    </message>
    <message>
        <source>Mark handled</source>
        <translation>标记已处理</translation>
    </message>
    <message>
        <source>The alert was dealt with: it leaves everyone&apos;s to-do list (Ctrl+H)</source>
        <translation>此提醒已处理：从所有人的待办事项中移除（Ctrl+H）</translation>
    </message>
    <message>
        <source>Your role may not mark customer base protection alerts handled.</source>
        <translation>您的角色无权将客户资源安全提醒标记为已处理。</translation>
    </message>
    <message>
        <source>Customer base protection</source>
        <translation>客户资源安全</translation>
    </message>
    <message>
        <source>{person} reported: {report}</source>
        <translation>{person} 报告：{report}</translation>
    </message>
    <message>
        <source>Nothing to do today.</source>
        <translation>今天没有待办事项。</translation>
    </message>
    <message>
        <source>{count} to do, {overdue} of them overdue.</source>
        <translation>{count} 项待办，其中 {overdue} 项超时。</translation>
    </message>
    <message>
        <source>{count} to do.</source>
        <translation>{count} 项待办。</translation>
    </message>
    <message>
        <source>Open contract</source>
        <translation>打开合同</translation>
    </message>
    <message>
        <source>Record outcome…</source>
        <translation>记录结果…</translation>
    </message>
    <message>
        <source>Open ticket</source>
        <translation>打开服务单</translation>
    </message>
    <message>
        <source>Show reads</source>
        <translation>查看查阅记录</translation>
    </message>
    <message>
        <source>Open record</source>
        <translation>打开记录</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Mark the follow-up done (Space)</source>
        <translation>标记跟进已完成（空格键）</translation>
    </message>
    <message>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>Returned {record}</source>
        <translation>退回的{record}</translation>
    </message>
    <message>
        <source>Contract expiring</source>
        <translation>合同到期</translation>
    </message>
    <message>
        <source>Ends in {days} days</source>
        <translation>{days} 天后到期</translation>
    </message>
    <message>
        <source>Returned: {comment}</source>
        <translation>退回意见：{comment}</translation>
    </message>
    <message>
        <source>{date} (overdue)</source>
        <translation>{date}（已超时）</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <source>New user</source>
        <translation>新建用户</translation>
    </message>
    <message>
        <source>Edit user</source>
        <translation>修改用户</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>站点</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Initial password</source>
        <translation>初始密码</translation>
    </message>
</context>
<context>
    <name>UsersTab</name>
    <message>
        <source>Find a user by name</source>
        <translation>按姓名查找用户</translation>
    </message>
    <message>
        <source>Show deactivated</source>
        <translation>显示已停用</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <source>Display name</source>
        <translation>显示名称</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Department</source>
        <translation>部门</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>站点</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Last login</source>
        <translation>最近登录</translation>
    </message>
    <message>
        <source>New user…</source>
        <translation>新建用户…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>修改…</translation>
    </message>
    <message>
        <source>Reset password…</source>
        <translation>重置密码…</translation>
    </message>
    <message>
        <source>&amp;Unlock</source>
        <translation>解锁(&amp;U)</translation>
    </message>
    <message>
        <source>Lift the wait that repeated wrong passwords put on this user&apos;s logins, at every station (Alt+U).</source>
        <translation>解除多次密码错误给该用户登录带来的等待（所有工作站）（Alt+U）。</translation>
    </message>
    <message>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>{count} users</source>
        <translation>共 {count} 个用户</translation>
    </message>
    <message>
        <source>Locked until {time}</source>
        <translation>锁定至 {time}</translation>
    </message>
    <message>
        <source>Reactivate</source>
        <translation>重新启用</translation>
    </message>
    <message>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <source>{name} is unlocked and can log in again.</source>
        <translation>{name} 已解锁，可以重新登录。</translation>
    </message>
    <message>
        <source>Deactivate user</source>
        <translation>停用用户</translation>
    </message>
    <message>
        <source>Deactivate {name}? The account can no longer log in.</source>
        <translation>停用 {name}？停用后该账户不能再登录。</translation>
    </message>
    <message>
        <source>{name} is deactivated.</source>
        <translation>{name} 已停用。</translation>
    </message>
</context>
<context>
    <name>ViewAsDialog</name>
    <message>
        <source>View as user</source>
        <translation>以用户身份预览</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Protected fields</source>
        <translation>受保护字段</translation>
    </message>
    <message>
        <source>This account is deactivated: it sees nothing.</source>
        <translation>此账户已停用，什么也看不到。</translation>
    </message>
    <message>
        <source>Sees these modules: {modules}</source>
        <translation>可见模块：{modules}</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>Every field is visible.</source>
        <translation>所有字段均可见。</translation>
    </message>
</context>
<context>
    <name>VisitDialog</name>
    <message>
        <source>Visit record</source>
        <translation>接待记录</translation>
    </message>
    <message>
        <source>YYYY-MM-DD, or 3 = in 3 days</source>
        <translation>YYYY-MM-DD，或 3 = 3 天后</translation>
    </message>
    <message>
        <source>Customer:</source>
        <translation>客户：</translation>
    </message>
    <message>
        <source>When:</source>
        <translation>时间：</translation>
    </message>
    <message>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <source>Purpose:</source>
        <translation>目的：</translation>
    </message>
    <message>
        <source>Products of interest:</source>
        <translation>意向产品：</translation>
    </message>
    <message>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <source>Notes:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Save and submit</source>
        <translation>保存并提交确认</translation>
    </message>
    <message>
        <source>Submit the record to management for confirmation</source>
        <translation>提交管理部确认</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>{when} by {owner} — {state}</source>
        <translation>{when}，{owner} 登记 — {state}</translation>
    </message>
    <message>
        <source>Read only.</source>
        <translation>只读。</translation>
    </message>
    <message>
        <source>Returned by {who} on {when}: {comment}</source>
        <translation>{who} 于 {when} 退回：{comment}</translation>
    </message>
    <message>
        <source> ({who}, {when})</source>
        <translation>（{who}，{when}）</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Please correct the marked fields.</source>
        <translation>请更正标出的字段。</translation>
    </message>
    <message>
        <source>{who} saved this visit record at {when}, after you opened it. Reload it to see their changes (yours are lost), or keep editing.</source>
        <translation>在您打开此接待记录后，{who} 于 {when} 保存了它。重新加载可查看其修改（您的修改将丢失），或继续编辑。</translation>
    </message>
    <message>
        <source>someone</source>
        <translation>他人</translation>
    </message>
    <message>
        <source>Changed meanwhile</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
</context>
<context>
    <name>WalkInPage</name>
    <message>
        <source>Reception record</source>
        <translation>接待记录</translation>
    </message>
    <message>
        <source>Customer: pinyin initials (bjxr), phone digits or name</source>
        <translation>客户：拼音首字母（bjxr）、电话号码或名称</translation>
    </message>
    <message>
        <source>Phone of the new customer</source>
        <translation>新客户的电话</translation>
    </message>
    <message>
        <source>Phone:</source>
        <translation>电话：</translation>
    </message>
    <message>
        <source>e.g. toner for HP M1136, repair quote</source>
        <translation>例如：HP M1136 硒鼓，维修报价</translation>
    </message>
    <message>
        <source>empty, a date, or 3 = in 3 days</source>
        <translation>留空、日期，或 3 = 3 天后</translation>
    </message>
    <message>
        <source>+{days}d</source>
        <translation>+{days}天</translation>
    </message>
    <message>
        <source>Follow up in {days} days</source>
        <translation>{days} 天后跟进</translation>
    </message>
    <message>
        <source>Record (Ctrl+S)</source>
        <translation>登记 (Ctrl+S)</translation>
    </message>
    <message>
        <source>Purpose:</source>
        <translation>目的：</translation>
    </message>
    <message>
        <source>Products of interest:</source>
        <translation>意向产品：</translation>
    </message>
    <message>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <source>New customer details</source>
        <translation>新客户资料</translation>
    </message>
    <message>
        <source>My recent visits</source>
        <translation>我最近的接待</translation>
    </message>
    <message>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <source>{shown} of {total} shown; Enter opens one.</source>
        <translation>显示 {shown} / 共 {total} 条；按回车键打开。</translation>
    </message>
    <message>
        <source>{count} visits; Enter opens one.</source>
        <translation>共 {count} 次来访；按回车键打开。</translation>
    </message>
    <message>
        <source>{name} belongs to {owner}: ask {owner} to receive this customer.</source>
        <translation>{name} 属于 {owner}：请让 {owner} 接待此客户。</translation>
    </message>
    <message>
        <source>owner: {owner}</source>
        <translation>负责人：{owner}</translation>
    </message>
    <message>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <source>New customer: {name}</source>
        <translation>新客户：{name}</translation>
    </message>
    <message>
        <source>Choose the customer first: Enter picks the first one found.</source>
        <translation>请先选择客户：按 Enter 选择找到的第一个。</translation>
    </message>
    <message>
        <source>Recording…</source>
        <translation>正在登记…</translation>
    </message>
    <message>
        <source>{name} — ask {owner}</source>
        <translation>{name} — 请联系 {owner}</translation>
    </message>
    <message>
        <source>+ New customer: {name}</source>
        <translation>+ 新客户：{name}</translation>
    </message>
    <message>
        <source>New customer {name} created and visit recorded.</source>
        <translation>已新建客户 {name} 并登记接待。</translation>
    </message>
    <message>
        <source>Recorded for {name}.</source>
        <translation>已为 {name} 登记。</translation>
    </message>
    <message>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <source>Please correct the marked fields.</source>
        <translation>请更正标出的字段。</translation>
    </message>
    <message>
        <source>No visits recorded yet.</source>
        <translation>尚无接待记录。</translation>
    </message>
    <message>
        <source>→ {date} (in {days} days)</source>
        <translation>→ {date}（{days} 天后）</translation>
    </message>
</context>
<context>
    <name>WherePage</name>
    <message>
        <source>Where is the customer database?</source>
        <translation>客户数据库在哪里？</translation>
    </message>
    <message>
        <source>StationCRM keeps every customer, order and service record in one database. Choose where this PC finds it.</source>
        <translation>StationCRM 把所有客户、订单和服务记录保存在一个数据库中。请选择本机在哪里找到它。</translation>
    </message>
    <message>
        <source>&amp;This PC only</source>
        <translation>仅本机(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Company server</source>
        <translation>公司服务器(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Advanced: type the database address</source>
        <translation>高级：直接输入数据库地址(&amp;A)</translation>
    </message>
    <message>
        <source>e.g. postgresql://server/stationcrm</source>
        <translation>例如：postgresql://server/stationcrm</translation>
    </message>
    <message>
        <source>The database address: postgresql://…, mssql+pyodbc://… (SQL Server over ODBC) or sqlite:///path/to/file.</source>
        <translation>数据库地址：postgresql://…、mssql+pyodbc://…（通过 ODBC 连接 SQL Server）或 sqlite:///文件路径。</translation>
    </message>
    <message>
        <source>A database file on this PC: for a single PC, a trial or a demo. The first start fills it with demo data to try every screen.</source>
        <translation>本机上的数据库文件：适用于单台电脑、试用或演示。首次启动时会填入演示数据，方便试用各个界面。</translation>
    </message>
    <message>
        <source>The company&apos;s SQL Server or PostgreSQL server, shared by every station. Each person logs in with their own database login.</source>
        <translation>公司的 SQL Server 或 PostgreSQL 服务器，由所有站点共用。每个人用自己的数据库登录账户登录。</translation>
    </message>
</context>
<context>
    <name>_SalesListPage</name>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
</context>
</TS>
