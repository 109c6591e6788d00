<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CustomerClass</name>
    <message>
        <location filename="../../app/ui/labels.py" line="39"/>
        <source>A</source>
        <translation>A类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="40"/>
        <source>B</source>
        <translation>B类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="41"/>
        <source>C</source>
        <translation>C类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="42"/>
        <source>Key account</source>
        <translation>大客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="43"/>
        <source>Dealer</source>
        <translation>经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="44"/>
        <source>Retail</source>
        <translation>零售</translation>
    </message>
</context>
<context>
    <name>CustomerListModel</name>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="237"/>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="238"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="239"/>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="240"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="241"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="242"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="243"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="244"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="257"/>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="258"/>
        <source>(no longer in this list)</source>
        <translation>（已不在此列表中）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="280"/>
        <location filename="../../app/ui/customers/list_model.py" line="304"/>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_model.py" line="303"/>
        <source>This customer belongs to {owner}. You may see only its name and owner.</source>
        <translation>该客户属于 {owner}，您只能看到名称和负责人。</translation>
    </message>
</context>
<context>
    <name>CustomerListPage</name>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="84"/>
        <source>Name, pinyin initials (bjxr), phone, contact, serial no.</source>
        <translation>名称、拼音首字母（bjxr）、电话、联系人、序列号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="87"/>
        <source>Finds customers by name or short name, full pinyin or pinyin initials, any part of a phone number, a contact&apos;s name or phone, or a device serial number.</source>
        <translation>按名称或简称、全拼或拼音首字母、电话号码的任意部分、联系人姓名或电话、设备序列号查找客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="95"/>
        <source>All classes</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="97"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="99"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="100"/>
        <source>Only my customers</source>
        <translation>只看我的客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="103"/>
        <source>New customer…</source>
        <translation>新建客户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="123"/>
        <source>Right-click to choose the columns</source>
        <translation>右键单击选择显示的列</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="229"/>
        <source>Could not load customers: {reason} The list continues when the connection is back.</source>
        <translation>无法载入客户：{reason} 连接恢复后列表将继续载入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="233"/>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="234"/>
        <source>Loading customers…</source>
        <translation>正在载入客户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="237"/>
        <source>No customer matches this search.</source>
        <translation>没有符合条件的客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="239"/>
        <source>No customers yet.</source>
        <translation>还没有客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="241"/>
        <source>Customers: {count}</source>
        <translation>客户：{count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="243"/>
        <source>Customers shown: {count} (scroll down for more)</source>
        <translation>已显示客户：{count} 个（向下滚动显示更多）</translation>
    </message>
</context>
<context>
    <name>CustomerSource</name>
    <message>
        <location filename="../../app/ui/labels.py" line="48"/>
        <source>Walk-in</source>
        <translation>到店</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="49"/>
        <source>Phone</source>
        <translation>来电</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="50"/>
        <source>Referral</source>
        <translation>转介绍</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="51"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="52"/>
        <source>Web</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="53"/>
        <source>Dealer</source>
        <translation>经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="54"/>
        <source>Service re-need</source>
        <translation>服务商机</translation>
    </message>
</context>
<context>
    <name>CustomerStatus</name>
    <message>
        <location filename="../../app/ui/labels.py" line="58"/>
        <source>Prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="59"/>
        <source>Active</source>
        <translation>活跃</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="60"/>
        <source>Dormant</source>
        <translation>休眠</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="61"/>
        <source>Lost</source>
        <translation>流失</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../app/ui/errors.py" line="47"/>
        <source>Database unavailable</source>
        <translation>数据库不可用</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="56"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="57"/>
        <source>Something went wrong and the action was not completed. The error was written to the log; if it happens again, send the details to the administrator.</source>
        <translation>出现错误，操作未完成。错误已写入日志；如再次发生，请把详细信息发给系统管理员。</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="68"/>
        <source>Login failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="70"/>
        <source>Not permitted</source>
        <translation>没有权限</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="72"/>
        <source>Please check your input</source>
        <translation>请检查输入</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="74"/>
        <source>Changed by someone else</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="76"/>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../app/ui/errors.py" line="77"/>
        <source>Cannot do that</source>
        <translation>无法执行</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../app/ui/login.py" line="74"/>
        <source>StationCRM — Log in</source>
        <translation>StationCRM — 登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="82"/>
        <source>StationCRM</source>
        <translation>StationCRM</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="88"/>
        <source>Log in to this station</source>
        <translation>登录本站点</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="106"/>
        <source>Change server…</source>
        <translation>更换服务器…</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="113"/>
        <source>e.g. postgresql://user:password@server/stationcrm</source>
        <translation>例如 postgresql://用户:密码@服务器/stationcrm</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="115"/>
        <source>The database address: postgresql://…, mssql://… (SQL Server over ODBC) or sqlite:///path/to/file for one PC.</source>
        <translation>数据库地址：postgresql://…、mssql://…（通过 ODBC 连接 SQL Server），单机使用 sqlite:///文件路径。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="124"/>
        <source>&amp;User name:</source>
        <translation>用户名(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="125"/>
        <source>&amp;Password:</source>
        <translation>密码(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="126"/>
        <source>&amp;Station:</source>
        <translation>站点(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="127"/>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="136"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="147"/>
        <source>Log in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="151"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="197"/>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="225"/>
        <source>Connecting to {server}…</source>
        <translation>正在连接 {server}…</translation>
    </message>
    <message>
        <location filename="../../app/ui/login.py" line="268"/>
        <source>Try again, or choose another server with “Change server…”.</source>
        <translation>请重试，或通过“更换服务器…”选择其他服务器。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/main_window.py" line="59"/>
        <source>StationCRM — {station} — {user}</source>
        <translation>StationCRM — {station} — {user}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="150"/>
        <source>The customer card (customer {id}) comes with a later update.</source>
        <translation>客户档案（客户 {id}）将在后续版本中提供。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="156"/>
        <source>Creating customers comes with a later update.</source>
        <translation>新建客户将在后续版本中提供。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="169"/>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="182"/>
        <source>The connection to the database server was lost. What you typed stays on screen; StationCRM reconnects by itself.</source>
        <translation>与数据库服务器的连接已断开。您输入的内容仍保留在屏幕上；StationCRM 会自动重新连接。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="190"/>
        <source>Connected to the server again.</source>
        <translation>已重新连接到服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="198"/>
        <source>● Connected</source>
        <translation>● 已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="201"/>
        <source>● Reconnecting…</source>
        <translation>● 正在重连…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="209"/>
        <source>User: {name} ({username})</source>
        <translation>用户：{name}（{username}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="212"/>
        <source>Station: {station}</source>
        <translation>站点：{station}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="216"/>
        <source>Server: {server}</source>
        <translation>服务器：{server}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="229"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="231"/>
        <source>&amp;New customer…</source>
        <translation>新建客户(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="237"/>
        <source>&amp;Check the connection</source>
        <translation>检查连接(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="239"/>
        <source>&amp;Log out</source>
        <translation>注销(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="241"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="244"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="245"/>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="247"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="248"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="251"/>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="260"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="261"/>
        <source>&amp;About StationCRM</source>
        <translation>关于 StationCRM(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="282"/>
        <source>About StationCRM</source>
        <translation>关于 StationCRM</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="283"/>
        <source>StationCRM — customers, sales and repair for the whole office, on one shared database.</source>
        <translation>StationCRM — 全公司共用一个数据库的客户、销售与维修管理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="290"/>
        <source>Your role may not see any part of StationCRM. Ask the administrator to give your role access.</source>
        <translation>您的角色无权查看 StationCRM 的任何模块，请联系系统管理员为您的角色授权。</translation>
    </message>
</context>
<context>
    <name>Modules</name>
    <message>
        <location filename="../../app/ui/labels.py" line="13"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="14"/>
        <source>Visits</source>
        <translation>接待/拜访记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="15"/>
        <source>Sales plans</source>
        <translation>销售计划</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="16"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="17"/>
        <source>Product catalog</source>
        <translation>产品目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="18"/>
        <source>Quotations</source>
        <translation>报价单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="19"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="20"/>
        <source>Payments received</source>
        <translation>回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="21"/>
        <source>Service contracts</source>
        <translation>服务合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="22"/>
        <source>Service tickets</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="23"/>
        <source>Knowledge base</source>
        <translation>知识库</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="24"/>
        <source>Tasks</source>
        <translation>工作任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="25"/>
        <source>Customer care</source>
        <translation>客户关怀</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="26"/>
        <source>Statistics</source>
        <translation>统计分析</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="27"/>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
</context>
<context>
    <name>PlaceholderPage</name>
    <message>
        <location filename="../../app/ui/pages.py" line="79"/>
        <source>This part of StationCRM is coming with issue {number}.</source>
        <translation>StationCRM 的这一部分将随第 {number} 号任务提供。</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages.py" line="81"/>
        <source>This part of StationCRM is coming in a later version.</source>
        <translation>StationCRM 的这一部分将在后续版本中提供。</translation>
    </message>
</context>
<context>
    <name>Stations</name>
    <message>
        <location filename="../../app/ui/labels.py" line="31"/>
        <source>Storefront / dealers</source>
        <translation>门市/经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="32"/>
        <source>Key accounts</source>
        <translation>大客户部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="33"/>
        <source>Repair department</source>
        <translation>维修部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="34"/>
        <source>Management department</source>
        <translation>管理部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="35"/>
        <source>Manager&apos;s office</source>
        <translation>经理办</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="75"/>
        <source>No station</source>
        <translation>未选站点</translation>
    </message>
</context>
</TS>
