<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Accessory</name>
    <message>
        <location filename="../../app/ui/service/desk.py" line="114"/>
        <source>Power cord</source>
        <translation>电源线</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="115"/>
        <source>Toner cartridge</source>
        <translation>硒鼓</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="116"/>
        <source>Paper tray</source>
        <translation>纸盒</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="117"/>
        <source>Data cable</source>
        <translation>数据线</translation>
    </message>
</context>
<context>
    <name>AddressKind</name>
    <message>
        <location filename="../../app/ui/labels.py" line="80"/>
        <source>Office</source>
        <translation>办公地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="81"/>
        <source>Billing</source>
        <translation>开票地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="82"/>
        <source>Delivery</source>
        <translation>送货地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="83"/>
        <source>Site</source>
        <translation>安装地点</translation>
    </message>
</context>
<context>
    <name>AgingModel</name>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="49"/>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="49"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="49"/>
        <source>0–30 days</source>
        <translation>0–30 天</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="50"/>
        <source>31–60 days</source>
        <translation>31–60 天</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="50"/>
        <source>61–90 days</source>
        <translation>61–90 天</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="50"/>
        <source>Over 90 days</source>
        <translation>90 天以上</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="51"/>
        <location filename="../../app/ui/sales/aging_page.py" line="79"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
</context>
<context>
    <name>AuditAction</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="158"/>
        <source>Created</source>
        <translation>新建</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="159"/>
        <source>Changed</source>
        <translation>修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="160"/>
        <source>Deleted</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="161"/>
        <source>Logged in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="162"/>
        <source>Login failed</source>
        <translation>登录失败</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="163"/>
        <source>Locked</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="164"/>
        <source>Exported</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="165"/>
        <source>Reassigned</source>
        <translation>客户移交</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="166"/>
        <source>Confirmed</source>
        <translation>确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="167"/>
        <source>Returned</source>
        <translation>退回</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="168"/>
        <source>Status changed</source>
        <translation>状态变更</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="169"/>
        <source>Printed</source>
        <translation>打印</translation>
    </message>
</context>
<context>
    <name>BoardColumn</name>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="82"/>
        <source>{count} · {amount}
weighted {weighted}</source>
        <translation>{count} 个 · {amount}
加权 {weighted}</translation>
    </message>
</context>
<context>
    <name>CareKind</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="131"/>
        <source>Follow-up</source>
        <translation>跟进回访</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="132"/>
        <source>Contract expiry</source>
        <translation>合同到期</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="133"/>
        <source>Reorder</source>
        <translation>再次订货</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="134"/>
        <source>Birthday</source>
        <translation>生日问候</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="135"/>
        <source>Holiday</source>
        <translation>节日问候</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="136"/>
        <source>Other</source>
        <translation>其他</translation>
    </message>
</context>
<context>
    <name>CareStatus</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="139"/>
        <source>Open</source>
        <translation>待办</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="140"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="141"/>
        <source>Skipped</source>
        <translation>已跳过</translation>
    </message>
</context>
<context>
    <name>ConfirmStatus</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="85"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="86"/>
        <source>Submitted</source>
        <translation>待确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="87"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="88"/>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
</context>
<context>
    <name>ContractDialog</name>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="79"/>
        <source>New service contract</source>
        <translation>新建服务合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="85"/>
        <source>Service contract</source>
        <translation>服务合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="114"/>
        <source>Find a customer by name, pinyin or phone</source>
        <translation>按名称、拼音或电话查找客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="150"/>
        <source>Not limited</source>
        <translation>不限</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="159"/>
        <source> h</source>
        <translation> 小时</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="169"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="170"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="171"/>
        <source>Period</source>
        <translation>合同期</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="173"/>
        <source>Included visits</source>
        <translation>含上门次数</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="174"/>
        <source>Fee</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="175"/>
        <source>Response within</source>
        <translation>响应时限</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="176"/>
        <source>Covered devices</source>
        <translation>覆盖设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="177"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="201"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="206"/>
        <source>Activate</source>
        <translation>生效</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="210"/>
        <source>Terminate</source>
        <translation>终止</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="214"/>
        <source>Renew…</source>
        <translation>续签…</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="217"/>
        <source>Create the follow-on contract: same terms and devices, starting the day after this one ends</source>
        <translation>生成续签合同：条款和设备不变，自本合同到期次日起</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="285"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="293"/>
        <source>Service contract {number}</source>
        <translation>服务合同 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="296"/>
        <source>Expires on {date}</source>
        <translation>{date} 到期</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="317"/>
        <source>Could not load the contract.</source>
        <translation>无法加载合同。</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="330"/>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="362"/>
        <source>This customer has no devices on the card.</source>
        <translation>该客户档案中没有设备。</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="425"/>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="443"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="454"/>
        <source>Renewing…</source>
        <translation>正在续签…</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="460"/>
        <source>Renewed as {number}.</source>
        <translation>已续签为 {number}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/contract_dialog.py" line="471"/>
        <source>Saved: {number}, {fee}</source>
        <translation>已保存：{number}，{fee}</translation>
    </message>
</context>
<context>
    <name>ContractKind</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="172"/>
        <location filename="../../app/ui/contracts/common.py" line="15"/>
        <source>Full service</source>
        <translation>全保</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="173"/>
        <location filename="../../app/ui/contracts/common.py" line="16"/>
        <source>Labour only</source>
        <translation>半保（只含人工）</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="174"/>
        <location filename="../../app/ui/contracts/common.py" line="17"/>
        <source>Per visit</source>
        <translation>按次服务</translation>
    </message>
</context>
<context>
    <name>ContractListPage</name>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="67"/>
        <source>New contract</source>
        <translation>新建合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="73"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="77"/>
        <source>Expiring within {days} days</source>
        <translation>{days} 天内到期</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="102"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="113"/>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="114"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="115"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="116"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="117"/>
        <source>Period</source>
        <translation>合同期</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="119"/>
        <source>Fee</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="120"/>
        <source>Devices</source>
        <translation>设备数</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="134"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="158"/>
        <source>Nothing found.</source>
        <translation>没有找到记录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="161"/>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/contracts/page.py" line="163"/>
        <source>{count} expiring soon</source>
        <translation>{count} 份即将到期</translation>
    </message>
</context>
<context>
    <name>ContractStatus</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="177"/>
        <location filename="../../app/ui/contracts/common.py" line="21"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="178"/>
        <location filename="../../app/ui/contracts/common.py" line="22"/>
        <source>Active</source>
        <translation>生效中</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="179"/>
        <location filename="../../app/ui/contracts/common.py" line="23"/>
        <source>Expired</source>
        <translation>已到期</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="180"/>
        <location filename="../../app/ui/contracts/common.py" line="24"/>
        <source>Terminated</source>
        <translation>已终止</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="181"/>
        <location filename="../../app/ui/contracts/common.py" line="25"/>
        <source>Renewed</source>
        <translation>已续签</translation>
    </message>
</context>
<context>
    <name>CustomerCardDialog</name>
    <message>
        <location filename="../../app/ui/customers/card.py" line="130"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="131"/>
        <source>Short name</source>
        <translation>简称</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="132"/>
        <location filename="../../app/ui/customers/card.py" line="573"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="133"/>
        <source>Customer source</source>
        <translation>客户来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="134"/>
        <source>Customer class</source>
        <translation>客户分类</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="135"/>
        <location filename="../../app/ui/customers/card.py" line="590"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="136"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="137"/>
        <location filename="../../app/ui/customers/card.py" line="563"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="138"/>
        <location filename="../../app/ui/customers/card.py" line="565"/>
        <source>E-mail</source>
        <translation>电子邮件</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="139"/>
        <source>Industry</source>
        <translation>行业</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="140"/>
        <source>Tax number</source>
        <translation>税号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="141"/>
        <source>Website</source>
        <translation>网址</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="142"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="143"/>
        <source>Contacts</source>
        <translation>联系人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="144"/>
        <source>Addresses</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="145"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="250"/>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="265"/>
        <source>Checking for existing customers…</source>
        <translation>正在检查是否已有该客户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="359"/>
        <source>Required: company or person</source>
        <translation>必填：单位或个人名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="374"/>
        <source>The salesperson responsible for this customer</source>
        <translation>负责该客户的业务员</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="214"/>
        <location filename="../../app/ui/customers/card.py" line="440"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="209"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="210"/>
        <source>Discard changes in “{customer}”?</source>
        <translation>放弃对“{customer}”的修改？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="213"/>
        <source>This customer card has changes that are not saved.</source>
        <translation>这份客户档案有尚未保存的修改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="216"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="377"/>
        <source>The salesperson responsible for this customer; choose another to hand the customer over</source>
        <translation>负责该客户的业务员；选择其他人即可移交客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="442"/>
        <source>Save the customer card (Ctrl+S)</source>
        <translation>保存客户档案（Ctrl+S）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="444"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="446"/>
        <source>Close the card (Esc)</source>
        <translation>关闭客户档案（Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="519"/>
        <source>{field}:</source>
        <translation>{field}：</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="539"/>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="546"/>
        <source>Type into the last row to add one; Enter moves to the next cell.</source>
        <translation>在最后一行输入即可新增；按回车键移到下一格。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="561"/>
        <source>Name</source>
        <comment>contact person</comment>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="562"/>
        <source>Title</source>
        <translation>职务</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="564"/>
        <source>Mobile</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="566"/>
        <source>Birthday</source>
        <translation>生日</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="567"/>
        <source>Primary</source>
        <translation>主联系人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="575"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="576"/>
        <source>District</source>
        <translation>区县</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="577"/>
        <source>Street</source>
        <translation>街道地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="578"/>
        <source>Postal code</source>
        <translation>邮编</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="579"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="585"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="586"/>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="587"/>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="588"/>
        <source>Installed on</source>
        <translation>安装日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="589"/>
        <source>Location</source>
        <translation>放置位置</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="592"/>
        <source>Last meter reading</source>
        <translation>上次计数器读数</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="593"/>
        <source>New meter reading</source>
        <translation>新计数器读数</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="600"/>
        <location filename="../../app/ui/customers/card.py" line="601"/>
        <location filename="../../app/ui/customers/card.py" line="1128"/>
        <source>New customer</source>
        <translation>新建客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="602"/>
        <source>The number is given on saving</source>
        <translation>保存时自动编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="619"/>
        <source>You may look at this customer but not change it.</source>
        <translation>您可以查看该客户，但不能修改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="623"/>
        <source>The customer could not be loaded.</source>
        <translation>无法载入该客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="632"/>
        <source>Customer card — {name}</source>
        <translation>客户档案 — {name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="635"/>
        <source>No. {code}</source>
        <translation>编号 {code}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="636"/>
        <source>Last saved by {user} at {time}</source>
        <translation>{user} 最后保存于 {time}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="699"/>
        <location filename="../../app/ui/customers/card.py" line="713"/>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="685"/>
        <source>{value} on {date}</source>
        <translation>{value}（{date}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="736"/>
        <source>The list of people could not be read just now; close and open the card again to choose.</source>
        <translation>暂时无法读取人员名单；请关闭客户档案后重新打开再选择。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="759"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="765"/>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="785"/>
        <location filename="../../app/ui/customers/card.py" line="920"/>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍保留在这里。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="799"/>
        <source>Create anyway?</source>
        <translation>仍然新建？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="800"/>
        <source>Customers that look like this one already exist (see “Possibly already a customer” on the card). Create a new customer anyway?</source>
        <translation>已有与此相似的客户（见档案上的“可能已是客户”）。仍然新建客户吗？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="805"/>
        <source>Create anyway</source>
        <translation>仍然新建</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="806"/>
        <source>Go back</source>
        <translation>返回修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="839"/>
        <source>Row {row}, {column}: {message}</source>
        <translation>第 {row} 行，{column}：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="852"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="912"/>
        <source>Someone else saved this customer meanwhile; loading their version…</source>
        <translation>其他人刚刚保存了该客户，正在载入其版本…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="925"/>
        <source>Not saved: someone else changed this customer.</source>
        <translation>未保存：该客户已被他人修改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="980"/>
        <source>primary</source>
        <translation>主联系人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="985"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="991"/>
        <source>new reading {value}</source>
        <translation>新读数 {value}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="992"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1096"/>
        <source>Discard changes?</source>
        <translation>放弃修改？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1097"/>
        <source>You changed this customer card without saving. Close it and discard the changes?</source>
        <translation>客户档案已修改但未保存。关闭并放弃这些修改吗？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="215"/>
        <location filename="../../app/ui/customers/card.py" line="1102"/>
        <source>Discard changes</source>
        <translation>放弃修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="781"/>
        <source>You may not give this customer to {owner}.</source>
        <translation>您无权将该客户移交给{owner}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1103"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1165"/>
        <source>{title} ({count})</source>
        <translation>{title}（{count}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1180"/>
        <source>A saved device is not removed: set its status to Retired.</source>
        <translation>已保存的设备不能删除：请把状态改为“已停用”。</translation>
    </message>
</context>
<context>
    <name>CustomerClass</name>
    <message>
        <location filename="../../app/ui/labels.py" line="48"/>
        <source>A</source>
        <translation>A类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="49"/>
        <source>B</source>
        <translation>B类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="50"/>
        <source>C</source>
        <translation>C类</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="51"/>
        <source>Key account</source>
        <translation>大客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="52"/>
        <source>Dealer</source>
        <translation>经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="53"/>
        <source>Retail</source>
        <translation>零售</translation>
    </message>
</context>
<context>
    <name>CustomerConflictDialog</name>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1303"/>
        <source>Changed by someone else</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1304"/>
        <source>Someone else</source>
        <translation>其他人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1307"/>
        <source>{user} saved this customer at {time} after you opened it.</source>
        <translation>在您打开后，{user} 于 {time} 保存了该客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1318"/>
        <source>These fields differ between what you typed and the saved record:</source>
        <translation>以下字段中，您输入的内容与已保存的记录不同：</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1320"/>
        <source>Your values and the saved record are the same now.</source>
        <translation>您输入的内容与已保存的记录现在相同。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1325"/>
        <location filename="../../app/ui/customers/card.py" line="1335"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1325"/>
        <source>What you typed</source>
        <translation>您输入的</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1325"/>
        <source>Saved now</source>
        <translation>现已保存的</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1345"/>
        <source>Reload</source>
        <translation>重新载入</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1348"/>
        <source>Discard your changes and show the saved record (your values stay listed here)</source>
        <translation>放弃您的修改并显示已保存的记录（您输入的内容仍列在这里）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1351"/>
        <source>Overwrite…</source>
        <translation>覆盖…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1353"/>
        <source>Save your values over the saved record</source>
        <translation>用您输入的内容覆盖已保存的记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1356"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1359"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1384"/>
        <source>The saved record is loaded in the card now. What you had typed stays listed here: select a cell and press Ctrl+C to copy it.</source>
        <translation>客户档案现在显示已保存的记录。您原先输入的内容仍列在这里：选中单元格按 Ctrl+C 即可复制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1386"/>
        <source>What you had typed</source>
        <translation>您原先输入的</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1395"/>
        <source>Overwrite?</source>
        <translation>覆盖？</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1396"/>
        <source>Save your values over what {user} saved? Their changes to the fields listed are lost.</source>
        <translation>用您输入的内容覆盖 {user} 保存的内容吗？其对所列字段的修改将丢失。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1401"/>
        <source>Overwrite</source>
        <translation>覆盖</translation>
    </message>
</context>
<context>
    <name>CustomerKind</name>
    <message>
        <location filename="../../app/ui/labels.py" line="75"/>
        <source>Company</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="76"/>
        <source>Person</source>
        <translation>个人</translation>
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
        <location filename="../../app/ui/customers/list_page.py" line="87"/>
        <source>Name, pinyin initials (bjxr), phone, contact, serial no.</source>
        <translation>名称、拼音首字母（bjxr）、电话、联系人、序列号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="90"/>
        <source>Finds customers by name or short name, full pinyin or pinyin initials, any part of a phone number, a contact&apos;s name or phone, or a device serial number.</source>
        <translation>按名称或简称、全拼或拼音首字母、电话号码的任意部分、联系人姓名或电话、设备序列号查找客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="98"/>
        <source>All classes</source>
        <translation>全部分类</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="100"/>
        <source>All sources</source>
        <translation>全部来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="102"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="105"/>
        <source>Show the customers of one owner</source>
        <translation>只显示某位负责人的客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="106"/>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="107"/>
        <source>Only mine</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="113"/>
        <source>New customer…</source>
        <translation>新建客户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="133"/>
        <source>Right-click to choose the columns</source>
        <translation>右键单击选择显示的列</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="257"/>
        <source>Could not load customers: {reason} The list continues when the connection is back.</source>
        <translation>无法载入客户：{reason} 连接恢复后列表将继续载入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="261"/>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="262"/>
        <source>Loading customers…</source>
        <translation>正在载入客户…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="265"/>
        <source>No customer matches this search.</source>
        <translation>没有符合条件的客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="267"/>
        <source>No customers yet.</source>
        <translation>还没有客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="269"/>
        <source>Customers: {count}</source>
        <translation>客户：{count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="271"/>
        <source>Customers shown: {count} (scroll down for more)</source>
        <translation>已显示客户：{count} 个（向下滚动显示更多）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/list_page.py" line="295"/>
        <source>Loading owners…</source>
        <translation>正在读取负责人…</translation>
    </message>
</context>
<context>
    <name>CustomerOverviewPage</name>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="104"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="106"/>
        <source>Back to the customer list (Alt+Left or Esc)</source>
        <translation>返回客户列表（Alt+← 或 Esc）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="116"/>
        <source>Edit card…</source>
        <translation>编辑客户档案…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="116"/>
        <source>Open card…</source>
        <translation>查看客户档案…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="118"/>
        <source>The customer card (Ctrl+E)</source>
        <translation>客户档案（Ctrl+E）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="120"/>
        <source>Record visit…</source>
        <translation>记录拜访…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="122"/>
        <source>Record an on-site visit (Ctrl+Shift+V)</source>
        <translation>记录一次上门拜访（Ctrl+Shift+V）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="125"/>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="127"/>
        <source>Read the customer again (F5)</source>
        <translation>重新读取客户资料（F5）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="143"/>
        <source>Try again</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="191"/>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="191"/>
        <source>Class</source>
        <translation>分类</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="192"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="193"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="193"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="194"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="198"/>
        <source>:</source>
        <translation>：</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="213"/>
        <source>Receivable</source>
        <translation>应收款</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="222"/>
        <source>Unpaid orders and repair charges of this customer</source>
        <translation>该客户未付的订单和维修费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="270"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="282"/>
        <source>Show all</source>
        <translation>全部显示</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="337"/>
        <location filename="../../app/ui/customers/overview.py" line="439"/>
        <source>Loading…</source>
        <translation>正在载入…</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="432"/>
        <source>Could not reload: {reason}</source>
        <translation>无法刷新：{reason}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="443"/>
        <source>The latest {count} entries are shown.</source>
        <translation>只显示最近的 {count} 条记录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="445"/>
        <source>Entries: {count}</source>
        <translation>记录：{count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="447"/>
        <source>Entries shown: {shown} of {count}</source>
        <translation>显示 {shown} 条，共 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="462"/>
        <source>(nobody)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="471"/>
        <source>Devices ({count})</source>
        <translation>设备（{count}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="474"/>
        <source>No devices on file.</source>
        <translation>没有登记设备。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="475"/>
        <source>Service contracts ({count})</source>
        <translation>服务合同（{count}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="479"/>
        <source>No service contracts.</source>
        <translation>没有服务合同。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="487"/>
        <source>under contract {number} until {date}</source>
        <translation>合同 {number}，保修至 {date}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="490"/>
        <source>no service contract</source>
        <translation>无服务合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="491"/>
        <source>{device} · SN {serial} · {cover}</source>
        <translation>{device} · 序列号 {serial} · {cover}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="495"/>
        <source>{number} · {kind} · {status} · {start} – {end}</source>
        <translation>{number} · {kind} · {status} · {start} 至 {end}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="535"/>
        <source>{kind} ({count})</source>
        <translation>{kind}（{count}）</translation>
    </message>
</context>
<context>
    <name>CustomerSource</name>
    <message>
        <location filename="../../app/ui/labels.py" line="57"/>
        <source>Walk-in</source>
        <translation>到店</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="58"/>
        <source>Phone</source>
        <translation>来电</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="59"/>
        <source>Referral</source>
        <translation>转介绍</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="60"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="61"/>
        <source>Web</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="62"/>
        <source>Dealer</source>
        <translation>经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="63"/>
        <source>Service re-need</source>
        <translation>服务商机</translation>
    </message>
</context>
<context>
    <name>CustomerStatus</name>
    <message>
        <location filename="../../app/ui/labels.py" line="67"/>
        <source>Prospect</source>
        <translation>潜在客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="68"/>
        <source>Active</source>
        <translation>活跃</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="69"/>
        <source>Dormant</source>
        <translation>休眠</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="70"/>
        <source>Lost</source>
        <translation>流失</translation>
    </message>
</context>
<context>
    <name>DeviceStatus</name>
    <message>
        <location filename="../../app/ui/labels.py" line="87"/>
        <source>In use</source>
        <translation>使用中</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="88"/>
        <source>In repair</source>
        <translation>维修中</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="89"/>
        <source>Retired</source>
        <translation>已停用</translation>
    </message>
</context>
<context>
    <name>DispatchDialog</name>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="44"/>
        <source>Dispatch {number}</source>
        <translation>派工 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="64"/>
        <source>Ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="69"/>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="72"/>
        <source>Scheduled visit</source>
        <translation>预约上门时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="73"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="82"/>
        <source>Dispatch</source>
        <translation>派工</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="86"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="96"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="104"/>
        <source>{name} — {count} open tickets</source>
        <translation>{name} — 未完成 {count} 单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="111"/>
        <source>No active technicians.</source>
        <translation>没有在岗的维修工程师。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="129"/>
        <source>Choose a technician.</source>
        <translation>请选择维修工程师。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="137"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="150"/>
        <source>Could not load the technicians.</source>
        <translation>无法加载维修工程师。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="157"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/dispatch_dialog.py" line="162"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>DuplicateHitsPanel</name>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="672"/>
        <source>This customer may already exist. Nothing has been saved yet.</source>
        <translation>该客户可能已存在，尚未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="680"/>
        <source>Create a new customer anyway</source>
        <translation>仍然新建客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="709"/>
        <source>Use this customer</source>
        <translation>使用此客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="726"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="727"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="729"/>
        <source>{name} — {reasons} — ask {owner}</source>
        <translation>{name} — {reasons} — 请联系 {owner}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="733"/>
        <source>{name} — owner: {owner} — {reasons}</source>
        <translation>{name} — 负责人：{owner} — {reasons}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="738"/>
        <source>same phone</source>
        <translation>电话相同</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="739"/>
        <source>same name</source>
        <translation>名称相同</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="740"/>
        <source>sounds the same</source>
        <translation>读音相同</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="741"/>
        <source>similar name</source>
        <translation>名称相似</translation>
    </message>
</context>
<context>
    <name>DuplicatePanel</name>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1200"/>
        <location filename="../../app/ui/customers/card.py" line="1221"/>
        <source>Possibly already a customer:</source>
        <translation>可能已是客户：</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1229"/>
        <source>Open the existing one</source>
        <translation>打开已有客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1236"/>
        <source>…and {count} more</source>
        <translation>…另有 {count} 个</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1245"/>
        <source>Could not check for existing customers just now.</source>
        <translation>暂时无法检查是否已有该客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1251"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1253"/>
        <source>{name} — ask {owner}</source>
        <translation>{name} — 请联系 {owner}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1256"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1257"/>
        <source>{name} — owner: {owner} — {reasons}</source>
        <translation>{name} — 负责人：{owner} — {reasons}</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1262"/>
        <source>same phone</source>
        <translation>同一电话</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1263"/>
        <source>same name</source>
        <translation>同名</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1264"/>
        <source>sounds the same</source>
        <translation>同音</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/card.py" line="1265"/>
        <source>similar name</source>
        <translation>名称相似</translation>
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
    <name>IntakeDialog</name>
    <message>
        <location filename="../../app/ui/service/desk.py" line="187"/>
        <source>Service intake</source>
        <translation>客户服务接待单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="207"/>
        <source>Name, pinyin initials or phone…</source>
        <translation>名称、拼音首字母或电话…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="212"/>
        <source>No customer chosen</source>
        <translation>未选择客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="219"/>
        <location filename="../../app/ui/service/desk.py" line="508"/>
        <source>New device</source>
        <translation>新设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="223"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="226"/>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="229"/>
        <source>Serial number</source>
        <translation>序列号</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="243"/>
        <source>Site address (on-site jobs)</source>
        <translation>上门地址（上门服务）</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="252"/>
        <source>What the customer reports…</source>
        <translation>客户描述的故障现象…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="264"/>
        <source>Other accessories</source>
        <translation>其他附件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="271"/>
        <source>Scratches, cracks, missing parts…</source>
        <translation>划痕、裂纹、缺件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="272"/>
        <source>Promised by</source>
        <translation>承诺日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="296"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="311"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="313"/>
        <source>Channel</source>
        <translation>来源渠道</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="314"/>
        <source>Service mode</source>
        <translation>服务方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="315"/>
        <source>Site address</source>
        <translation>上门地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="316"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="317"/>
        <source>Symptoms</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="318"/>
        <source>Accessories received</source>
        <translation>随机附件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="319"/>
        <source>Visible condition</source>
        <translation>外观状况</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="320"/>
        <source>Expected date</source>
        <translation>预计完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="329"/>
        <source>Choose a device to see its coverage.</source>
        <translation>选择设备后显示保修状态。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="338"/>
        <source>Coverage</source>
        <translation>保修状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="340"/>
        <source>Previous repairs</source>
        <translation>维修历史</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="342"/>
        <source>Suggested solutions</source>
        <translation>推荐解决方案</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="351"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="356"/>
        <source>Print intake slip…</source>
        <translation>打印接待单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="362"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="452"/>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="472"/>
        <location filename="../../app/ui/service/desk.py" line="498"/>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="525"/>
        <source>New device: chargeable (收费).</source>
        <translation>新设备：收费。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="529"/>
        <source>Checking coverage…</source>
        <translation>正在查询保修…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="549"/>
        <source>Under contract (在保): {number}, until {day}</source>
        <translation>在保：合同 {number}，至 {day}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="553"/>
        <source>Not under contract: chargeable (收费).</source>
        <translation>不在保：收费。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="561"/>
        <source>No previous repairs</source>
        <translation>无维修记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="600"/>
        <source>Cause: {cause}</source>
        <translation>原因：{cause}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="612"/>
        <source>choose a customer first</source>
        <translation>请先选择客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="613"/>
        <location filename="../../app/ui/service/desk.py" line="657"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标记的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="636"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="646"/>
        <source>under contract</source>
        <translation>在保</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="647"/>
        <source>chargeable</source>
        <translation>收费</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="648"/>
        <source>Saved as {number} ({cover}). Print the intake slip for the customer (Ctrl+P).</source>
        <translation>已保存为 {number}（{cover}）。请为客户打印接待单（Ctrl+P）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="651"/>
        <source>Service intake {number}</source>
        <translation>客户服务接待单 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="660"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>JobType</name>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="56"/>
        <source>Bench repair</source>
        <translation>送修维修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="57"/>
        <source>On-site repair</source>
        <translation>上门维修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="58"/>
        <source>Maintenance</source>
        <translation>保养</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="59"/>
        <source>Installation</source>
        <translation>安装</translation>
    </message>
</context>
<context>
    <name>KnowledgeFormDialog</name>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="84"/>
        <source>New knowledge entry</source>
        <translation>新建知识条目</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="95"/>
        <source>Device model</source>
        <translation>设备型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="96"/>
        <source>Symptom</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="97"/>
        <source>Cause of failure</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="98"/>
        <source>Solution</source>
        <translation>解决方案</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="99"/>
        <source>Parts</source>
        <translation>配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="99"/>
        <source>Keywords</source>
        <translation>关键词</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="108"/>
        <source>Submit for approval</source>
        <translation>提交审核</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="111"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="136"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="153"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
</context>
<context>
    <name>KnowledgePage</name>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="53"/>
        <source>Pending approval</source>
        <translation>待审核</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="62"/>
        <source>Approved entries are suggested to the technicians at intake and in the repair record. New entries are approved by the repair lead.</source>
        <translation>已批准的条目会在接修和维修记录中推荐给技术员。新条目由维修主管审核。</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="70"/>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="70"/>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="70"/>
        <source>Symptom</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="70"/>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="71"/>
        <source>Used</source>
        <translation>使用次数</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="88"/>
        <source>Approve</source>
        <translation>批准</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="91"/>
        <source>Return for rework…</source>
        <translation>退回…</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="131"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="154"/>
        <source>{count} waiting</source>
        <translation>{count} 条待审核</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="155"/>
        <source>Nothing waiting for approval.</source>
        <translation>没有待审核的条目。</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="187"/>
        <source>Symptom: {text}</source>
        <translation>故障现象：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="188"/>
        <source>Cause: {text}</source>
        <translation>原因：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="189"/>
        <source>Solution:</source>
        <translation>解决方法：</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="191"/>
        <source>Parts: {text}</source>
        <translation>配件：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="193"/>
        <source>Keywords: {text}</source>
        <translation>关键词：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="205"/>
        <source>Approved: {number}</source>
        <translation>已批准：{number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="212"/>
        <source>Return for rework</source>
        <translation>退回修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="213"/>
        <source>Return {number} to {author} for rework? It will not be suggested until it is submitted and approved again.</source>
        <translation>将 {number} 退回给 {author} 修改？在重新提交并批准之前不会被推荐。</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="225"/>
        <source>Returned for rework: {number}</source>
        <translation>已退回：{number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/knowledge/page.py" line="234"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>LinesEditor</name>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="71"/>
        <source>Find a product by SKU, name or pinyin</source>
        <translation>按编码、名称或拼音查找产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="75"/>
        <source>Add product</source>
        <translation>添加产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="77"/>
        <source>Add text line</source>
        <translation>添加文字行</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="79"/>
        <source>Remove line</source>
        <translation>删除行</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="136"/>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="137"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="137"/>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="138"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="138"/>
        <source>Discount %</source>
        <translation>折扣 %</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="139"/>
        <source>Unit cost</source>
        <translation>成本价</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="139"/>
        <source>Line total</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="264"/>
        <source>Row {row}, {column}: {message}</source>
        <translation>第 {row} 行，{column}：{message}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="305"/>
        <source>(cost {cost})</source>
        <translation>（成本价 {cost}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="309"/>
        <source>No product found</source>
        <translation>未找到产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/lines.py" line="384"/>
        <source>Total: {amount}</source>
        <translation>合计：{amount}</translation>
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
        <location filename="../../app/ui/main_window.py" line="72"/>
        <source>StationCRM — {station} — {user}</source>
        <translation>StationCRM — {station} — {user}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="271"/>
        <source>Reconnect now</source>
        <translation>立即重连</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="284"/>
        <source>The connection to the database server was lost. What you typed stays on screen; StationCRM reconnects by itself.</source>
        <translation>与数据库服务器的连接已断开。您输入的内容仍保留在屏幕上；StationCRM 会自动重新连接。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="292"/>
        <source>Connected to the server again.</source>
        <translation>已重新连接到服务器。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="300"/>
        <source>● Connected</source>
        <translation>● 已连接</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="303"/>
        <source>● Reconnecting…</source>
        <translation>● 正在重连…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="311"/>
        <source>User: {name} ({username})</source>
        <translation>用户：{name}（{username}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="314"/>
        <source>Station: {station}</source>
        <translation>站点：{station}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="318"/>
        <source>Server: {server}</source>
        <translation>服务器：{server}</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="331"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="333"/>
        <source>&amp;New customer…</source>
        <translation>新建客户(&amp;N)…</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="339"/>
        <source>&amp;Check the connection</source>
        <translation>检查连接(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="341"/>
        <source>&amp;Log out</source>
        <translation>注销(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="344"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="351"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="352"/>
        <source>&amp;Find</source>
        <translation>查找(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="354"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="355"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="358"/>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="367"/>
        <source>&amp;To-do today</source>
        <translation>今日待办(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="372"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="373"/>
        <source>&amp;About StationCRM</source>
        <translation>关于 StationCRM(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="394"/>
        <source>About StationCRM</source>
        <translation>关于 StationCRM</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="395"/>
        <source>StationCRM — customers, sales and repair for the whole office, on one shared database.</source>
        <translation>StationCRM — 全公司共用一个数据库的客户、销售与维修管理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="402"/>
        <source>Your role may not see any part of StationCRM. Ask the administrator to give your role access.</source>
        <translation>您的角色无权查看 StationCRM 的任何模块，请联系系统管理员为您的角色授权。</translation>
    </message>
    <message>
        <location filename="../../app/ui/main_window.py" line="437"/>
        <source>Cancelled: the customer card stays open.</source>
        <translation>已取消，客户档案保持打开。</translation>
    </message>
</context>
<context>
    <name>Modules</name>
    <message>
        <location filename="../../app/ui/labels.py" line="22"/>
        <source>Customers</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="23"/>
        <source>Visits</source>
        <translation>接待/拜访记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="24"/>
        <source>Sales plans</source>
        <translation>销售计划</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="25"/>
        <source>Opportunities</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="26"/>
        <source>Product catalog</source>
        <translation>产品目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="27"/>
        <source>Quotations</source>
        <translation>报价单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="28"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="29"/>
        <source>Payments received</source>
        <translation>回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="30"/>
        <source>Service contracts</source>
        <translation>服务合同</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="31"/>
        <source>Service tickets</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="32"/>
        <source>Knowledge base</source>
        <translation>知识库</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="33"/>
        <source>Tasks</source>
        <translation>工作任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="34"/>
        <source>Customer care</source>
        <translation>客户关怀</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="35"/>
        <source>Statistics</source>
        <translation>统计分析</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="36"/>
        <source>Administration</source>
        <translation>系统管理</translation>
    </message>
</context>
<context>
    <name>OpportunityAction</name>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="22"/>
        <source>Qualified</source>
        <translation>确认需求</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="23"/>
        <source>Proposal sent</source>
        <translation>已提交方案</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="24"/>
        <source>In negotiation</source>
        <translation>进入谈判</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="25"/>
        <source>Won</source>
        <translation>赢单</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="26"/>
        <source>Lost…</source>
        <translation>丢单…</translation>
    </message>
</context>
<context>
    <name>OpportunityDialog</name>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="67"/>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="73"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="105"/>
        <source>Find a customer by name, pinyin or phone</source>
        <translation>按名称、拼音或电话查找客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="128"/>
        <source>The customer&apos;s source</source>
        <translation>同客户来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="142"/>
        <source>not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="150"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="151"/>
        <source>Title</source>
        <translation>商机名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="152"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="153"/>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="154"/>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="155"/>
        <source>Expected close date</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="156"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="172"/>
        <source>Move to:</source>
        <translation>推进到：</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="188"/>
        <source>Why was it lost?</source>
        <translation>丢单原因是什么？</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="189"/>
        <source>Mark as lost</source>
        <translation>确认丢单</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="192"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="199"/>
        <source>Lost reason:</source>
        <translation>丢单原因：</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="208"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="259"/>
        <source>Stage: {stage}</source>
        <translation>阶段：{stage}</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="269"/>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="304"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="276"/>
        <source>Opportunity {number}</source>
        <translation>商机 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="280"/>
        <source>Owner: {name}</source>
        <translation>负责人：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="281"/>
        <source>Waiting for routing</source>
        <translation>待分配</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="299"/>
        <source>Could not load the opportunity.</source>
        <translation>无法加载商机。</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="320"/>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="347"/>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="368"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/opportunity_dialog.py" line="379"/>
        <source>Saved: {number}, {amount}</source>
        <translation>已保存：{number}，{amount}</translation>
    </message>
</context>
<context>
    <name>OpportunityListPage</name>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="105"/>
        <source>New opportunity</source>
        <translation>新建商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="111"/>
        <source>All stages</source>
        <translation>全部阶段</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="112"/>
        <source>Open</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="117"/>
        <source>All owners</source>
        <translation>全部负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="118"/>
        <source>Mine</source>
        <translation>我的</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="119"/>
        <location filename="../../app/ui/opportunities/page.py" line="202"/>
        <source>Waiting for routing</source>
        <translation>待分配</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="163"/>
        <source>Month</source>
        <translation>月份</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="163"/>
        <source>Opportunities</source>
        <translation>商机数</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="163"/>
        <location filename="../../app/ui/opportunities/page.py" line="199"/>
        <source>Expected amount</source>
        <translation>预计金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="164"/>
        <source>Weighted amount</source>
        <translation>加权金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="172"/>
        <source>List</source>
        <translation>列表</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="173"/>
        <source>Board</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="174"/>
        <source>Sales forecast</source>
        <translation>销售预测</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="178"/>
        <source>Stage:</source>
        <translation>阶段：</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="180"/>
        <source>Owner:</source>
        <translation>负责人：</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="194"/>
        <source>Number</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="195"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="196"/>
        <source>Title</source>
        <translation>商机名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="197"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="198"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="200"/>
        <source>Probability</source>
        <translation>成交概率</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="201"/>
        <source>Expected close</source>
        <translation>预计成交日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="202"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="224"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="266"/>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="267"/>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="279"/>
        <source>Open: {count} opportunities, {amount}, weighted {weighted}</source>
        <translation>进行中：{count} 个商机，{amount}，加权 {weighted}</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/page.py" line="293"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
</context>
<context>
    <name>OpportunityStage</name>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="12"/>
        <location filename="../../app/ui/record_labels.py" line="91"/>
        <source>New</source>
        <translation>新商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="13"/>
        <location filename="../../app/ui/record_labels.py" line="92"/>
        <source>Qualified</source>
        <translation>需求确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="14"/>
        <location filename="../../app/ui/record_labels.py" line="93"/>
        <source>Proposal</source>
        <translation>方案报价</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="15"/>
        <location filename="../../app/ui/record_labels.py" line="94"/>
        <source>Negotiation</source>
        <translation>商务谈判</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="16"/>
        <location filename="../../app/ui/record_labels.py" line="95"/>
        <source>Won</source>
        <translation>已成交</translation>
    </message>
    <message>
        <location filename="../../app/ui/opportunities/common.py" line="17"/>
        <location filename="../../app/ui/record_labels.py" line="96"/>
        <source>Lost</source>
        <translation>已丢单</translation>
    </message>
</context>
<context>
    <name>OrderAction</name>
    <message>
        <location filename="../../app/ui/sales/common.py" line="42"/>
        <source>Confirm order</source>
        <translation>确认订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="43"/>
        <source>Mark as delivered</source>
        <translation>标记为已送货</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="44"/>
        <source>Mark as completed</source>
        <translation>标记为已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="45"/>
        <source>Cancel order</source>
        <translation>取消订单</translation>
    </message>
</context>
<context>
    <name>OrderDialog</name>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="64"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="77"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="105"/>
        <location filename="../../app/ui/sales/order_dialog.py" line="114"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="159"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="165"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="166"/>
        <source>Order date</source>
        <translation>销售日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="168"/>
        <source>Payment due</source>
        <translation>付款期限</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="169"/>
        <source>Delivery address</source>
        <translation>送货地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="188"/>
        <source>Cost:</source>
        <translation>成本：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="192"/>
        <source>Gross margin:</source>
        <translation>毛利：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="197"/>
        <source>Total:</source>
        <translation>合计：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="198"/>
        <source>Paid:</source>
        <translation>已回款：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="199"/>
        <source>Open:</source>
        <translation>未回款：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="207"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="212"/>
        <source>Record payment…</source>
        <translation>登记回款…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="280"/>
        <source>Order {number}</source>
        <translation>订单 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="298"/>
        <source>Could not load the order.</source>
        <translation>无法加载订单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/order_dialog.py" line="303"/>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
</context>
<context>
    <name>OrderListPage</name>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="275"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="276"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="277"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="278"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="279"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="280"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="281"/>
        <source>Paid</source>
        <translation>已回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="282"/>
        <source>Open</source>
        <translation>未回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="283"/>
        <source>Gross margin</source>
        <translation>毛利</translation>
    </message>
</context>
<context>
    <name>OrderStatus</name>
    <message>
        <location filename="../../app/ui/sales/common.py" line="34"/>
        <location filename="../../app/ui/record_labels.py" line="107"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="35"/>
        <location filename="../../app/ui/record_labels.py" line="108"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="36"/>
        <location filename="../../app/ui/record_labels.py" line="109"/>
        <source>Delivered</source>
        <translation>已送货</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="37"/>
        <location filename="../../app/ui/record_labels.py" line="110"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="38"/>
        <location filename="../../app/ui/record_labels.py" line="111"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>PaymentDialog</name>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="52"/>
        <source>Record payment</source>
        <translation>登记回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="72"/>
        <source>{order} (open {amount})</source>
        <translation>{order}（未回款 {amount}）</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="78"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="80"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="81"/>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="82"/>
        <source>Received on</source>
        <translation>回款日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="83"/>
        <source>Reference</source>
        <translation>凭证号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="84"/>
        <source>Allocated to</source>
        <translation>核销到</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="104"/>
        <source>Record</source>
        <translation>登记</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="134"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="161"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="164"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>PaymentMethod</name>
    <message>
        <location filename="../../app/ui/sales/common.py" line="49"/>
        <location filename="../../app/ui/record_labels.py" line="114"/>
        <source>Cash</source>
        <translation>现金</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="50"/>
        <location filename="../../app/ui/record_labels.py" line="115"/>
        <source>Bank transfer</source>
        <translation>银行转账</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="51"/>
        <location filename="../../app/ui/record_labels.py" line="116"/>
        <source>WeChat Pay</source>
        <translation>微信支付</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="52"/>
        <location filename="../../app/ui/record_labels.py" line="117"/>
        <source>Alipay</source>
        <translation>支付宝</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="53"/>
        <location filename="../../app/ui/record_labels.py" line="118"/>
        <source>Cheque</source>
        <translation>支票</translation>
    </message>
</context>
<context>
    <name>PaymentSummaryDialog</name>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="175"/>
        <source>Payment</source>
        <translation>回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="177"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="192"/>
        <source>Payment {number}</source>
        <translation>回款 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="194"/>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="195"/>
        <source>Received on: {day}</source>
        <translation>回款日期：{day}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="196"/>
        <source>Amount: {amount}</source>
        <translation>金额：{amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="197"/>
        <source>Method: {method}</source>
        <translation>付款方式：{method}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="200"/>
        <source>Reference: {text}</source>
        <translation>凭证号：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="202"/>
        <source>Received by: {name}</source>
        <translation>经手人：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="204"/>
        <source>Allocated to {order}: {amount}</source>
        <translation>核销到 {order}：{amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/payment_dialog.py" line="209"/>
        <source>Could not load the payment.</source>
        <translation>无法加载回款记录。</translation>
    </message>
</context>
<context>
    <name>PickupDialog</name>
    <message>
        <location filename="../../app/ui/service/desk.py" line="720"/>
        <source>Pickup</source>
        <translation>客户取机</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="730"/>
        <source>Type or scan the ticket number, Enter</source>
        <translation>输入或扫描服务单号，回车</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="732"/>
        <location filename="../../app/ui/service/desk.py" line="810"/>
        <source>No ticket loaded.</source>
        <translation>未载入服务单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="747"/>
        <source>Ticket number</source>
        <translation>服务单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="748"/>
        <source>Payment</source>
        <translation>收款金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="749"/>
        <source>Method</source>
        <translation>付款方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="755"/>
        <source>Ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="762"/>
        <source>Hand over</source>
        <translation>交付取机</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="766"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="802"/>
        <source>Looking up…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="811"/>
        <source>Ticket not loaded.</source>
        <translation>未载入服务单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="822"/>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="823"/>
        <source>Device: {device}</source>
        <translation>设备：{device}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="826"/>
        <source>Symptoms: {text}</source>
        <translation>故障现象：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="827"/>
        <source>Repaired by {name}, done {at}</source>
        <translation>维修人：{name}，完成于 {at}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="830"/>
        <source>Charge: {amount} (under contract)</source>
        <translation>费用：{amount}（在保）</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="831"/>
        <source>Charge: {amount}</source>
        <translation>费用：{amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="832"/>
        <source>Paid: {paid}   Open: {open}</source>
        <translation>已付：{paid}   未付：{open}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="836"/>
        <source>What was done: {text}</source>
        <translation>维修内容：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="838"/>
        <source>Cause: {text}</source>
        <translation>原因：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="840"/>
        <source>Result: {text}</source>
        <translation>维修结果：{text}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="841"/>
        <source>Labour {labour} + parts {parts}</source>
        <translation>人工费 {labour} + 配件费 {parts}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="847"/>
        <source>{number} is not ready for pickup: {status}</source>
        <translation>{number} 尚不能取机：{status}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="871"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="880"/>
        <source>{number} handed over; paid {amount}.</source>
        <translation>{number} 已取机；已付 {amount}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="889"/>
        <source>Not handed over: please correct the marked fields.</source>
        <translation>未取机：请更正标记的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="892"/>
        <source>Not handed over.</source>
        <translation>未取机。</translation>
    </message>
</context>
<context>
    <name>PlaceholderPage</name>
    <message>
        <location filename="../../app/ui/pages.py" line="97"/>
        <source>This part of StationCRM is coming with issue {number}.</source>
        <translation>StationCRM 的这一部分将随第 {number} 号任务提供。</translation>
    </message>
    <message>
        <location filename="../../app/ui/pages.py" line="99"/>
        <source>This part of StationCRM is coming in a later version.</source>
        <translation>StationCRM 的这一部分将在后续版本中提供。</translation>
    </message>
</context>
<context>
    <name>PrintPreviewDialog</name>
    <message>
        <location filename="../../app/ui/print_preview.py" line="73"/>
        <source>Print preview</source>
        <translation>打印预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="92"/>
        <location filename="../../app/ui/print_preview.py" line="244"/>
        <source>Preparing the document…</source>
        <translation>正在生成单据…</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="94"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="97"/>
        <source>Save PDF…</source>
        <translation>保存 PDF…</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="100"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="106"/>
        <source>Paper:</source>
        <translation>纸张：</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="151"/>
        <source>The printer could not be started.</source>
        <translation>无法启动打印机。</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="173"/>
        <source>Sent {count} page(s) to the printer.</source>
        <translation>已发送 {count} 页到打印机。</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="181"/>
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="184"/>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="193"/>
        <source>Saved {name}.</source>
        <translation>已保存 {name}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="221"/>
        <source>Print preview – {number}</source>
        <translation>打印预览 – {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="254"/>
        <source>{count} page(s)</source>
        <translation>共 {count} 页</translation>
    </message>
    <message>
        <location filename="../../app/ui/print_preview.py" line="267"/>
        <source>The document could not be prepared.</source>
        <translation>无法生成单据。</translation>
    </message>
</context>
<context>
    <name>Priority</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="144"/>
        <location filename="../../app/ui/service/tickets_page.py" line="34"/>
        <source>Low priority</source>
        <translation>低优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="145"/>
        <location filename="../../app/ui/service/tickets_page.py" line="35"/>
        <source>Normal priority</source>
        <translation>普通优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="146"/>
        <location filename="../../app/ui/service/tickets_page.py" line="36"/>
        <source>High priority</source>
        <translation>高优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="147"/>
        <location filename="../../app/ui/service/desk.py" line="100"/>
        <location filename="../../app/ui/service/tickets_page.py" line="37"/>
        <source>Urgent</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="97"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="98"/>
        <source>Normal</source>
        <translation>普通</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="99"/>
        <source>High</source>
        <translation>高</translation>
    </message>
</context>
<context>
    <name>ProductCategory</name>
    <message>
        <location filename="../../app/ui/catalog/common.py" line="12"/>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/common.py" line="13"/>
        <source>Consumable</source>
        <translation>耗材</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/common.py" line="14"/>
        <source>Computer</source>
        <translation>电脑</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/common.py" line="15"/>
        <source>Part</source>
        <translation>配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/common.py" line="16"/>
        <source>Service</source>
        <translation>服务</translation>
    </message>
</context>
<context>
    <name>ProductDialog</name>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="78"/>
        <source>New product</source>
        <translation>新建产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="79"/>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="104"/>
        <source>In the catalog (active)</source>
        <translation>在售（启用）</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="114"/>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="115"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="116"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="117"/>
        <source>Brand</source>
        <translation>品牌</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="118"/>
        <source>Model</source>
        <translation>型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="119"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="120"/>
        <source>List price</source>
        <translation>销售价</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="121"/>
        <source>Sales points</source>
        <translation>销售点数</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="123"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="192"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="202"/>
        <source>Cost price</source>
        <translation>成本价</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="207"/>
        <source>Product {sku}</source>
        <translation>产品 {sku}</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="224"/>
        <source>Could not load the product.</source>
        <translation>无法加载该产品。</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="254"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="266"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="279"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/product_dialog.py" line="282"/>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍在。</translation>
    </message>
</context>
<context>
    <name>ProductListPage</name>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="51"/>
        <source>SKU, name, pinyin initials, brand…</source>
        <translation>产品编码、名称、拼音首字母、品牌…</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="61"/>
        <source>All categories</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="65"/>
        <source>Show inactive</source>
        <translation>显示停用产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="68"/>
        <source>New product</source>
        <translation>新建产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="94"/>
        <source>Category:</source>
        <translation>类别：</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="106"/>
        <source> (inactive)</source>
        <translation>（已停用）</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="109"/>
        <source>SKU</source>
        <translation>产品编码</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="110"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="111"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="112"/>
        <source>Brand / model</source>
        <translation>品牌 / 型号</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="113"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="114"/>
        <source>List price</source>
        <translation>销售价</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="115"/>
        <source>Sales points</source>
        <translation>销售点数</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="116"/>
        <source>Cost price</source>
        <translation>成本价</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="132"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="157"/>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/catalog/products_page.py" line="158"/>
        <source>Nothing found.</source>
        <translation>未找到。</translation>
    </message>
</context>
<context>
    <name>QuotationAction</name>
    <message>
        <location filename="../../app/ui/sales/common.py" line="27"/>
        <source>Mark as sent</source>
        <translation>标记为已发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="28"/>
        <source>Accepted by customer</source>
        <translation>客户已接受</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="29"/>
        <source>Rejected by customer</source>
        <translation>客户已拒绝</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="30"/>
        <source>Mark as expired</source>
        <translation>标记为已过期</translation>
    </message>
</context>
<context>
    <name>QuotationDialog</name>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="82"/>
        <source>New quotation</source>
        <translation>新建报价单</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="105"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="144"/>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="151"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="160"/>
        <source>Converting to an order…</source>
        <translation>正在转为订单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="187"/>
        <source>Find a customer by name, pinyin or phone</source>
        <translation>按名称、拼音或电话查找客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="217"/>
        <source>e.g. prices include VAT, delivery included</source>
        <translation>例如：含税价，送货上门</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="221"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="222"/>
        <source>Quotation date</source>
        <translation>报价日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="223"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="224"/>
        <source>Terms</source>
        <translation>报价条款</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="243"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="250"/>
        <source>Convert to order</source>
        <translation>转为订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="316"/>
        <source>Quotation {number}</source>
        <translation>报价单 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="331"/>
        <source>Could not load the quotation.</source>
        <translation>无法加载报价单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="336"/>
        <source>Saved at {time}.</source>
        <translation>已于 {time} 保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="341"/>
        <source>Order {number} was made from this quotation.</source>
        <translation>已由此报价单生成订单 {number}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/quotation_dialog.py" line="370"/>
        <source>No customer found</source>
        <translation>未找到客户</translation>
    </message>
</context>
<context>
    <name>QuotationListPage</name>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="225"/>
        <source>New quotation</source>
        <translation>新建报价单</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="233"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="234"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="235"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="236"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="237"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="238"/>
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="239"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
</context>
<context>
    <name>QuotationStatus</name>
    <message>
        <location filename="../../app/ui/sales/common.py" line="17"/>
        <location filename="../../app/ui/record_labels.py" line="99"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="18"/>
        <location filename="../../app/ui/record_labels.py" line="100"/>
        <source>Sent</source>
        <translation>已发送</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="19"/>
        <location filename="../../app/ui/record_labels.py" line="101"/>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="20"/>
        <location filename="../../app/ui/record_labels.py" line="102"/>
        <source>Rejected</source>
        <translation>已拒绝</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="21"/>
        <location filename="../../app/ui/record_labels.py" line="103"/>
        <source>Expired</source>
        <translation>已过期</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/common.py" line="22"/>
        <location filename="../../app/ui/record_labels.py" line="104"/>
        <source>Converted to order</source>
        <translation>已转订单</translation>
    </message>
</context>
<context>
    <name>ReceivablesAgingPage</name>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="116"/>
        <source>Receivables aging</source>
        <translation>应收款账龄</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="127"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="152"/>
        <source>As of:</source>
        <translation>截至：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="156"/>
        <source>Days past the due date (the order date where none is set). Enter opens the customer.</source>
        <translation>按超过到期日的天数（未设到期日时按订单日期）。按回车打开客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="176"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="187"/>
        <source>{count} customers owe {amount}</source>
        <translation>{count} 个客户欠款 {amount}</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/aging_page.py" line="189"/>
        <source>Nothing is owed.</source>
        <translation>没有应收款。</translation>
    </message>
</context>
<context>
    <name>RecordKind</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="37"/>
        <source>Visit</source>
        <translation>接待/拜访记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="38"/>
        <source>Opportunity</source>
        <translation>商机</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="39"/>
        <source>Quotation</source>
        <translation>报价单</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="40"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="41"/>
        <source>Payment</source>
        <translation>回款</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="42"/>
        <source>Service ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="43"/>
        <source>Repair</source>
        <translation>维修记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="44"/>
        <source>Customer care</source>
        <translation>客户关怀</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="45"/>
        <source>Task</source>
        <translation>工作任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="46"/>
        <source>Change</source>
        <translation>修改记录</translation>
    </message>
</context>
<context>
    <name>RecordVisitDialog</name>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="44"/>
        <source>Record visit</source>
        <translation>拜访记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="52"/>
        <source>(nobody in particular)</source>
        <translation>（未指定联系人）</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="62"/>
        <source>YYYY-MM-DD, or 3 = in 3 days</source>
        <translation>YYYY-MM-DD，或 3 = 三天后</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="73"/>
        <source>Customer:</source>
        <translation>客户：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="74"/>
        <source>Contact met:</source>
        <translation>拜访对象：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="75"/>
        <source>Topic:</source>
        <translation>拜访主题：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="76"/>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="77"/>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="78"/>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="87"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="125"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="150"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/record_visit_dialog.py" line="153"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>RepairDialog</name>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="171"/>
        <source>Repair record {number}</source>
        <translation>维修记录 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="209"/>
        <source>Not rated</source>
        <translation>未评价</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="215"/>
        <source>Work done</source>
        <translation>维修内容</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="216"/>
        <source>Cause of failure</source>
        <translation>故障原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="217"/>
        <source>Result</source>
        <translation>维修结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="218"/>
        <source>Job type</source>
        <translation>服务类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="219"/>
        <source>Difficulty</source>
        <translation>难度</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="220"/>
        <source>Labour minutes</source>
        <translation>工时（分钟）</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="221"/>
        <source>Labour charge</source>
        <translation>工时费</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="222"/>
        <source>Customer rating</source>
        <translation>客户评价</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="237"/>
        <source>Parts used</source>
        <translation>使用配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="240"/>
        <source>SKU, name or pinyin initials</source>
        <translation>编码、名称或拼音首字母</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="242"/>
        <source>Search</source>
        <translation>查找</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="251"/>
        <source>Add part</source>
        <translation>添加配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="254"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="259"/>
        <source>Part</source>
        <translation>配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="259"/>
        <source>Quantity</source>
        <translation>数量</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="276"/>
        <source>Solutions from the knowledge base</source>
        <translation>知识库解决方案</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="281"/>
        <source>Write a new entry…</source>
        <translation>新写一条…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="295"/>
        <source>The customer also needs…</source>
        <translation>客户再需求…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="298"/>
        <source>e.g. a new toner cartridge</source>
        <translation>例如：新硒鼓</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="304"/>
        <source>What:</source>
        <translation>需求：</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="306"/>
        <source>Expected amount:</source>
        <translation>预计金额：</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="315"/>
        <source>Save repair record</source>
        <translation>保存维修记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="340"/>
        <source>Looking for solutions…</source>
        <translation>正在查找解决方案…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="348"/>
        <source>(no entry linked)</source>
        <translation>（不关联条目）</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="360"/>
        <source>{count} suggested; select the one you followed.</source>
        <translation>推荐 {count} 条；请选择所采用的一条。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="362"/>
        <source>No approved solution for this model and symptom yet.</source>
        <translation>该型号和故障暂无已审核的解决方案。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="388"/>
        <source>Entry {number} submitted for approval.</source>
        <translation>条目 {number} 已提交审核。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="396"/>
        <source>Searching…</source>
        <translation>正在查找…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="406"/>
        <source>No product found</source>
        <translation>未找到产品</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="478"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="486"/>
        <source>Service score: {score}</source>
        <translation>服务分值：{score}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="487"/>
        <source>Saved; the ticket is repaired.</source>
        <translation>已保存，服务单已修复。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="489"/>
        <source>Re-need passed on as {number}.</source>
        <translation>客户再需求已转为商机 {number}。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="493"/>
        <source>Saved, but the re-need was not passed on: {error}</source>
        <translation>已保存，但客户再需求未能转出：{error}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="495"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="504"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请修改标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/repair_dialog.py" line="509"/>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。已填写的内容仍保留。</translation>
    </message>
</context>
<context>
    <name>SalesDialog</name>
    <message>
        <location filename="../../app/ui/sales/base.py" line="42"/>
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/base.py" line="46"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/base.py" line="110"/>
        <source>Not saved: please correct the marked fields.</source>
        <translation>未保存：请更正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/base.py" line="117"/>
        <source>Not saved. What you typed is still here.</source>
        <translation>未保存。您输入的内容仍保留在这里。</translation>
    </message>
</context>
<context>
    <name>SalesPlanPage</name>
    <message>
        <location filename="../../app/ui/plans/page.py" line="63"/>
        <source>By month</source>
        <translation>按月</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="64"/>
        <source>By quarter</source>
        <translation>按季度</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="69"/>
        <source>Everyone</source>
        <translation>全部销售</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="80"/>
        <source>Period</source>
        <translation>期间</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="80"/>
        <source>Planned</source>
        <translation>计划</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="80"/>
        <source>Actual</source>
        <translation>实际</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="80"/>
        <source>Achieved</source>
        <translation>完成率</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="81"/>
        <source>Orders</source>
        <translation>订单数</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="81"/>
        <source>Gross margin</source>
        <translation>毛利</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="91"/>
        <source>Year:</source>
        <translation>年度：</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="94"/>
        <source>Salesperson:</source>
        <translation>销售人员：</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="134"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="157"/>
        <source>Q{n}</source>
        <translation>第{n}季度</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="165"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="173"/>
        <source>Double-click a planned amount to change it.</source>
        <translation>双击计划金额即可修改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="219"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/plans/page.py" line="237"/>
        <source>Plan not saved: {message}</source>
        <translation>计划未保存：{message}</translation>
    </message>
</context>
<context>
    <name>ServiceMode</name>
    <message>
        <location filename="../../app/ui/service/desk.py" line="93"/>
        <source>Bring-in</source>
        <translation>送修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="94"/>
        <source>On-site</source>
        <translation>上门</translation>
    </message>
</context>
<context>
    <name>Stations</name>
    <message>
        <location filename="../../app/ui/labels.py" line="40"/>
        <source>Storefront / dealers</source>
        <translation>门市/经销商</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="41"/>
        <source>Key accounts</source>
        <translation>大客户部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="42"/>
        <source>Repair department</source>
        <translation>维修部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="43"/>
        <source>Management department</source>
        <translation>管理部</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="44"/>
        <source>Manager&apos;s office</source>
        <translation>经理办</translation>
    </message>
    <message>
        <location filename="../../app/ui/labels.py" line="103"/>
        <source>No station</source>
        <translation>未选站点</translation>
    </message>
</context>
<context>
    <name>TaskStatus</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="150"/>
        <source>Open</source>
        <translation>待办</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="151"/>
        <source>Acknowledged</source>
        <translation>已接收</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="152"/>
        <source>Reported done</source>
        <translation>已报完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="153"/>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="154"/>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="155"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
</context>
<context>
    <name>TicketAction</name>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="39"/>
        <source>Start repair</source>
        <translation>开始维修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="40"/>
        <source>Waiting for parts</source>
        <translation>等待配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="41"/>
        <source>Close ticket</source>
        <translation>关闭服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="42"/>
        <source>Cancel ticket</source>
        <translation>取消服务单</translation>
    </message>
</context>
<context>
    <name>TicketChannel</name>
    <message>
        <location filename="../../app/ui/service/desk.py" line="88"/>
        <source>Walk-in</source>
        <translation>到店送修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="89"/>
        <source>Phone call</source>
        <translation>电话报修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="90"/>
        <source>On-site request</source>
        <translation>上门请求</translation>
    </message>
</context>
<context>
    <name>TicketDialog</name>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="71"/>
        <source>Service ticket</source>
        <translation>服务单</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="88"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="95"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="137"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="137"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="138"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="138"/>
        <source>Service mode</source>
        <translation>服务方式</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="139"/>
        <source>Symptoms</source>
        <translation>故障现象</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="139"/>
        <source>Accessories</source>
        <translation>随机附件</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="140"/>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="140"/>
        <source>Scheduled</source>
        <translation>预约时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="141"/>
        <source>Site address</source>
        <translation>上门地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="141"/>
        <source>Due</source>
        <translation>服务时限</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="142"/>
        <source>Charge</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="151"/>
        <source>Dispatch…</source>
        <translation>派工…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="154"/>
        <source>Record repair…</source>
        <translation>填写维修记录…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="181"/>
        <source>Status history</source>
        <translation>状态记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="214"/>
        <source>Service ticket {number}</source>
        <translation>服务单 {number}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="221"/>
        <source>On site</source>
        <translation>上门</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="222"/>
        <source>Brought in</source>
        <translation>送修</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="224"/>
        <source>Covered by contract</source>
        <translation>合同保修内</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="239"/>
        <source>{from_status} → {to_status}</source>
        <translation>{from_status} → {to_status}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="244"/>
        <source>{at}  {step}  by {name}</source>
        <translation>{at}  {step}  操作人：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="250"/>
        <source>{at}  Scheduled visit</source>
        <translation>{at}  预约上门</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="255"/>
        <source>Could not load the ticket.</source>
        <translation>无法加载服务单。</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/ticket_dialog.py" line="263"/>
        <source>Not saved.</source>
        <translation>未保存。</translation>
    </message>
</context>
<context>
    <name>TicketListPage</name>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="50"/>
        <source>Overdue</source>
        <translation>超时</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="76"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="80"/>
        <source>Mine only</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="83"/>
        <source>Overdue only</source>
        <translation>只看超时</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="88"/>
        <source>New intake…</source>
        <translation>新接单…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="94"/>
        <source>Pickup…</source>
        <translation>取机…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="117"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="133"/>
        <source>Number</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="134"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="135"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="136"/>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="137"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="138"/>
        <source>Technician</source>
        <translation>维修工程师</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="139"/>
        <source>Received</source>
        <translation>接单时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="140"/>
        <source>Due</source>
        <translation>服务时限</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="158"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="183"/>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/tickets_page.py" line="184"/>
        <source>Nothing found.</source>
        <translation>没有找到。</translation>
    </message>
</context>
<context>
    <name>TicketStatus</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="121"/>
        <location filename="../../app/ui/service/desk.py" line="103"/>
        <source>Received</source>
        <translation>已接机</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="122"/>
        <location filename="../../app/ui/service/desk.py" line="104"/>
        <source>Dispatched</source>
        <translation>已派工</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="123"/>
        <location filename="../../app/ui/service/desk.py" line="105"/>
        <source>In repair</source>
        <translation>维修中</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="124"/>
        <location filename="../../app/ui/service/desk.py" line="106"/>
        <source>Waiting for parts</source>
        <translation>等待配件</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="125"/>
        <source>Repaired</source>
        <translation>已修复</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="126"/>
        <location filename="../../app/ui/service/desk.py" line="108"/>
        <source>Picked up</source>
        <translation>已取机</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="127"/>
        <location filename="../../app/ui/service/desk.py" line="109"/>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="128"/>
        <location filename="../../app/ui/service/desk.py" line="110"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/service/desk.py" line="107"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
</context>
<context>
    <name>TimelineEntryDialog</name>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="597"/>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="598"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="599"/>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="600"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="601"/>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="602"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="603"/>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="613"/>
        <source>:</source>
        <translation>：</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/overview.py" line="622"/>
        <source>This is a summary. The full screen for this record comes with the &quot;{module}&quot; module.</source>
        <translation>这里只显示摘要。完整的单据界面将随“{module}”模块提供。</translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="103"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="104"/>
        <source>Kind</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="105"/>
        <source>Reference</source>
        <translation>单号</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="106"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="107"/>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="108"/>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="109"/>
        <source>By</source>
        <translation>经办人</translation>
    </message>
    <message>
        <location filename="../../app/ui/customers/timeline_model.py" line="151"/>
        <source>Local time</source>
        <translation>本地时间</translation>
    </message>
</context>
<context>
    <name>TodoPage</name>
    <message>
        <location filename="../../app/ui/todo_page.py" line="59"/>
        <source>To-do today</source>
        <translation>今日待办</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="70"/>
        <source>Follow-up on</source>
        <translation>跟进日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="70"/>
        <location filename="../../app/ui/todo_page.py" line="98"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="70"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="71"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="71"/>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="79"/>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="81"/>
        <source>Mark the follow-up done (Space)</source>
        <translation>标记跟进已完成（空格键）</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="83"/>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="90"/>
        <source>Contracts expiring within 30 days</source>
        <translation>到期服务合同（30天内）</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="98"/>
        <source>Contract</source>
        <translation>合同编号</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="98"/>
        <source>Ends on</source>
        <translation>到期日</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="98"/>
        <source>Days left</source>
        <translation>剩余天数</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="136"/>
        <location filename="../../app/ui/todo_page.py" line="140"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="191"/>
        <source>{date} (overdue)</source>
        <translation>{date}（已超时）</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="207"/>
        <source>Nothing to follow up today.</source>
        <translation>今天没有需要跟进的事项。</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="209"/>
        <source>{count} follow-ups, {overdue} of them overdue.</source>
        <translation>{count} 项跟进，其中 {overdue} 项已超时。</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="212"/>
        <source>{count} follow-ups today.</source>
        <translation>今天 {count} 项跟进。</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="222"/>
        <source>{days} days</source>
        <translation>{days} 天</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="232"/>
        <source>{count} contracts end within 30 days.</source>
        <translation>{count} 份合同将在30天内到期。</translation>
    </message>
    <message>
        <location filename="../../app/ui/todo_page.py" line="235"/>
        <source>No contract ends within 30 days.</source>
        <translation>30天内没有到期的合同。</translation>
    </message>
</context>
<context>
    <name>VisitDialog</name>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="53"/>
        <source>Visit record</source>
        <translation>接待记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="69"/>
        <source>YYYY-MM-DD, or 3 = in 3 days</source>
        <translation>YYYY-MM-DD，或 3 = 3 天后</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="93"/>
        <source>Customer:</source>
        <translation>客户：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="94"/>
        <source>When:</source>
        <translation>时间：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="95"/>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="96"/>
        <source>Purpose:</source>
        <translation>目的：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="97"/>
        <source>Products of interest:</source>
        <translation>意向产品：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="98"/>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="99"/>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="100"/>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="101"/>
        <source>Notes:</source>
        <translation>备注：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="107"/>
        <source>Save (Ctrl+S)</source>
        <translation>保存 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="131"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="154"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="167"/>
        <source>{when} by {owner} — {state}</source>
        <translation>{when}，{owner} 登记 — {state}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="183"/>
        <source>Read only.</source>
        <translation>只读。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="192"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="216"/>
        <source>Please correct the marked fields.</source>
        <translation>请更正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="223"/>
        <source>{who} saved this visit record at {when}, after you opened it. Reload it to see their changes (yours are lost), or keep editing.</source>
        <translation>在您打开此接待记录后，{who} 于 {when} 保存了它。重新加载可查看其修改（您的修改将丢失），或继续编辑。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="225"/>
        <source>someone</source>
        <translation>他人</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="228"/>
        <source>Changed meanwhile</source>
        <translation>已被他人修改</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="231"/>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/visit_dialog.py" line="232"/>
        <source>Keep editing</source>
        <translation>继续编辑</translation>
    </message>
</context>
<context>
    <name>VisitKind</name>
    <message>
        <location filename="../../app/ui/record_labels.py" line="80"/>
        <source>Walk-in</source>
        <translation>到店</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="81"/>
        <source>Phone call</source>
        <translation>来电</translation>
    </message>
    <message>
        <location filename="../../app/ui/record_labels.py" line="82"/>
        <source>Visit</source>
        <translation>拜访</translation>
    </message>
</context>
<context>
    <name>WalkInPage</name>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="93"/>
        <source>Reception record</source>
        <translation>接待记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="106"/>
        <source>Customer: pinyin initials (bjxr), phone digits or name</source>
        <translation>客户：拼音首字母（bjxr）、电话号码或名称</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="118"/>
        <source>Phone of the new customer</source>
        <translation>新客户的电话</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="120"/>
        <source>Phone:</source>
        <translation>电话：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="128"/>
        <source>e.g. toner for HP M1136, repair quote</source>
        <translation>例如：HP M1136 硒鼓，维修报价</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="137"/>
        <source>empty, a date, or 3 = in 3 days</source>
        <translation>留空、日期，或 3 = 3 天后</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="146"/>
        <source>+{days}d</source>
        <translation>+{days}天</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="148"/>
        <source>Follow up in {days} days</source>
        <translation>{days} 天后跟进</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="159"/>
        <source>Record (Ctrl+S)</source>
        <translation>登记 (Ctrl+S)</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="186"/>
        <source>Purpose:</source>
        <translation>目的：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="187"/>
        <source>Products of interest:</source>
        <translation>意向产品：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="188"/>
        <source>Outcome:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="189"/>
        <source>Next step:</source>
        <translation>下一步：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="190"/>
        <source>Follow-up on:</source>
        <translation>跟进日期：</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="206"/>
        <source>My recent visits</source>
        <translation>我最近的接待</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="212"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="212"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="212"/>
        <source>Customer</source>
        <translation>客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="212"/>
        <source>Purpose</source>
        <translation>目的</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="213"/>
        <source>Follow-up</source>
        <translation>跟进</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="315"/>
        <source>{name} belongs to {owner}: ask {owner} to receive this customer.</source>
        <translation>{name} 属于 {owner}：请让 {owner} 接待此客户。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="332"/>
        <source>owner: {owner}</source>
        <translation>负责人：{owner}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="333"/>
        <source>Customer: {name}</source>
        <translation>客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="344"/>
        <source>New customer: {name}</source>
        <translation>新客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="370"/>
        <source>Choose the customer first: Enter picks the first one found.</source>
        <translation>请先选择客户：按 Enter 选择找到的第一个。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="383"/>
        <source>Recording…</source>
        <translation>正在登记…</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="446"/>
        <source>{name} — ask {owner}</source>
        <translation>{name} — 请联系 {owner}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="457"/>
        <source>+ New customer: {name}</source>
        <translation>+ 新客户：{name}</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="490"/>
        <source>New customer {name} created and visit recorded.</source>
        <translation>已新建客户 {name} 并登记接待。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="491"/>
        <source>Recorded for {name}.</source>
        <translation>已为 {name} 登记。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="494"/>
        <source>Open customer</source>
        <translation>打开客户</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="521"/>
        <source>Please correct the marked fields.</source>
        <translation>请更正标出的字段。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="561"/>
        <source>No visits recorded yet.</source>
        <translation>尚无接待记录。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="562"/>
        <source>Latest {count}; Enter opens one.</source>
        <translation>最近 {count} 条；按 Enter 打开。</translation>
    </message>
    <message>
        <location filename="../../app/ui/visits/walk_in_page.py" line="594"/>
        <source>→ {date} (in {days} days)</source>
        <translation>→ {date}（{days} 天后）</translation>
    </message>
</context>
<context>
    <name>_SalesListPage</name>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="107"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="125"/>
        <source>Print selected…</source>
        <translation>打印所选…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="130"/>
        <source>Status:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="159"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="184"/>
        <source>{count} shown</source>
        <translation>显示 {count} 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="185"/>
        <source>Nothing found.</source>
        <translation>未找到。</translation>
    </message>
    <message>
        <location filename="../../app/ui/sales/list_pages.py" line="203"/>
        <source>Select the documents to print first.</source>
        <translation>请先选择要打印的单据。</translation>
    </message>
</context>
</TS>
