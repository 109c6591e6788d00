"""Word lists for the demo database: Beijing names, addresses, products, devices and faults.

Plain tuples, no logic: :mod:`app.demo` combines them with a seeded random generator.
Prices are in fen (分) so the generator works in exact integers.
"""

from __future__ import annotations

from typing import Final

# --- people -------------------------------------------------------------------------------

# Common surnames with rough relative frequencies (per mille of the population).
SURNAMES: Final[tuple[tuple[str, int], ...]] = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 32), ("赵", 23),
    ("黄", 22), ("周", 21), ("吴", 20), ("徐", 17), ("孙", 16), ("胡", 13), ("朱", 12),
    ("高", 12), ("林", 11), ("何", 11), ("郭", 11), ("马", 10), ("罗", 9), ("梁", 8),
    ("宋", 8), ("郑", 8), ("谢", 7), ("韩", 7), ("唐", 7), ("冯", 7), ("于", 6), ("董", 6),
    ("萧", 5), ("程", 5), ("曹", 5), ("袁", 5), ("邓", 5), ("许", 5), ("傅", 4), ("沈", 4),
    ("曾", 4), ("彭", 4), ("吕", 4), ("苏", 4), ("卢", 4), ("蒋", 4), ("蔡", 4), ("贾", 3),
    ("丁", 3), ("魏", 3), ("薛", 3), ("叶", 3), ("阎", 3), ("余", 3), ("潘", 3), ("杜", 3),
    ("戴", 3), ("夏", 3), ("钟", 3), ("汪", 3), ("田", 3), ("任", 3), ("姜", 3), ("范", 3),
    ("方", 3), ("石", 3), ("姚", 3), ("谭", 2), ("廖", 2), ("邹", 2), ("熊", 2), ("金", 2),
    ("陆", 2), ("郝", 2), ("孔", 2), ("白", 2), ("崔", 2), ("康", 2), ("毛", 2), ("邱", 2),
    ("秦", 2), ("江", 2), ("史", 2), ("顾", 2), ("侯", 2), ("邵", 2), ("孟", 2), ("龙", 2),
    ("万", 2), ("段", 2), ("雷", 2), ("钱", 2), ("汤", 2), ("尹", 2), ("黎", 2), ("易", 2),
    ("常", 2), ("武", 2), ("乔", 2), ("贺", 2), ("赖", 2), ("龚", 2), ("文", 2),
)

# Characters used in given names (one or two of them).
GIVEN_CHARS: Final = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏海波宁"
    "晨阳雪梅琳婷晶颖佳慧欣怡子涵浩宇博文睿泽思远俊凯鑫瑞雨萱诗婕嘉琪梓航一鸣天"
    "佑昊然国栋立新春燕秋菊学东晓光永庆德福玉珍淑贤荣海燕彤蕾薇琦悦晗煜铭轩"
)

CONTACT_TITLES: Final[tuple[tuple[str, int], ...]] = (
    ("经理", 14), ("行政主管", 12), ("采购", 12), ("行政专员", 8), ("办公室主任", 8),
    ("总经理", 6), ("财务", 8), ("前台", 6), ("IT主管", 8), ("网管", 6), ("副总经理", 3),
    ("采购经理", 5), ("后勤主任", 4), ("总务科长", 3), ("设备科", 3), ("校办主任", 2),
)

EMAIL_DOMAINS: Final = ("163.com", "126.com", "qq.com", "sina.com", "sohu.com", "139.com")

# --- companies ----------------------------------------------------------------------------

# Characters that Beijing trade names are made of; two of them form a trade name (字号),
# or two such pairs a longer one (鑫锐恒达), as a large demo needs more names.
BRAND_CHARS: Final = (
    "鑫锐华信恒达金桥博远宏图创新联合东方天成世纪京万通嘉禾盛汇丰永泰康明辉瑞安顺祥"
    "和兴隆昌润泽佳诚德源鼎晟宇航腾飞卓越智达益众融科浩正伟业中元广利凯旋星辰美景"
    "建邦尚品启帆蓝海新程伊甸龙腾富邦同心致远普惠合众聚力"
)

# Place words that Beijing company names often start with after 北京.
PLACE_WORDS: Final = (
    "中关村", "亦庄", "望京", "国贸", "西单", "海淀", "朝阳", "丰台", "通州", "昌平",
    "大兴", "顺义", "石景山", "燕郊", "上地", "五道口", "金融街", "西直门", "东直门",
    "京西", "京北", "首都",
)

# (name ending, short-name ending, industry shown on the card, relative weight)
COMPANY_KINDS: Final[tuple[tuple[str, str, str, int], ...]] = (
    ("科技有限公司", "科技", "信息技术", 22),
    ("信息技术有限公司", "信息", "信息技术", 8),
    ("网络科技有限公司", "网络", "互联网", 6),
    ("商贸有限公司", "商贸", "批发零售", 12),
    ("贸易有限公司", "贸易", "批发零售", 6),
    ("电子有限公司", "电子", "电子产品", 5),
    ("文化传媒有限公司", "传媒", "文化传媒", 6),
    ("广告有限公司", "广告", "文化传媒", 4),
    ("印务有限公司", "印务", "印刷包装", 4),
    ("建筑工程有限公司", "建筑", "建筑工程", 5),
    ("装饰工程有限公司", "装饰", "建筑工程", 4),
    ("物业管理有限公司", "物业", "物业服务", 4),
    ("餐饮管理有限公司", "餐饮", "餐饮酒店", 3),
    ("酒店管理有限公司", "酒店", "餐饮酒店", 2),
    ("教育咨询有限公司", "教育", "教育培训", 4),
    ("医疗器械有限公司", "医疗", "医疗卫生", 3),
    ("物流有限公司", "物流", "交通物流", 3),
    ("投资管理有限公司", "投资", "金融投资", 3),
    ("房地产经纪有限公司", "地产", "房地产", 3),
    ("会计服务有限公司", "会计", "商务服务", 2),
    ("律师事务所", "律所", "法律服务", 4),
    ("会计师事务所", "会计师事务所", "商务服务", 2),
    ("设计院有限公司", "设计院", "建筑工程", 1),
    ("科技发展有限公司", "科技", "信息技术", 5),
    ("电子科技有限公司", "电子", "电子产品", 3),
    ("办公用品有限公司", "办公", "批发零售", 4),
    ("企业管理咨询有限公司", "咨询", "商务服务", 3),
    ("商务服务有限公司", "商务", "商务服务", 2),
    ("文化发展有限公司", "文化", "文化传媒", 2),
    ("机电工程有限公司", "机电", "建筑工程", 2),
    ("软件技术有限公司", "软件", "信息技术", 3),
    ("图文设计有限公司", "图文", "印刷包装", 2),
    ("人力资源有限公司", "人力", "商务服务", 2),
)

# Institutions whose names are built differently: (template, industry, weight);
# {district} is a district name without 区, {brand} a trade name, {n} a small number.
INSTITUTION_KINDS: Final[tuple[tuple[str, str, int], ...]] = (
    ("北京市{district}区第{n}中学", "教育培训", 3),
    ("北京市{district}区{brand}小学", "教育培训", 3),
    ("北京{brand}中学", "教育培训", 2),
    ("北京{brand}医院", "医疗卫生", 2),
    ("北京市{district}区{brand}社区卫生服务中心", "医疗卫生", 2),
    ("北京{brand}口腔诊所", "医疗卫生", 1),
    ("北京市{district}区{brand}街道办事处", "政府机关", 1),
    ("北京{brand}职业技能培训学校", "教育培训", 1),
    ("北京{brand}幼儿园", "教育培训", 1),
)

INDUSTRY_OF_PERSON: Final = "个人"

# --- addresses ----------------------------------------------------------------------------

# (district, postal code, streets in it)
DISTRICTS: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("海淀", "100080", ("中关村大街", "海淀大街", "知春路", "学院路", "上地信息路", "苏州街",
                        "北四环西路", "西三环北路", "万泉河路", "紫竹院路", "中关村南大街")),
    ("朝阳", "100020", ("建国路", "朝阳门外大街", "东三环中路", "望京街", "酒仙桥路",
                        "工体北路", "亮马桥路", "朝阳北路", "广渠路", "安立路")),
    ("东城", "100010", ("东长安街", "王府井大街", "东直门内大街", "朝阳门北大街",
                        "崇文门外大街", "和平里东街", "安定门外大街")),
    ("西城", "100032", ("西长安街", "金融大街", "西直门外大街", "阜成门内大街", "宣武门外大街",
                        "德胜门外大街", "广安门内大街")),
    ("丰台", "100071", ("丰台路", "南三环西路", "马家堡东路", "科学城富丰路", "西四环南路",
                        "方庄路")),
    ("石景山", "100043", ("石景山路", "鲁谷路", "八大处路", "古城大街")),
    ("通州", "101100", ("新华大街", "通胡大街", "九棵树东路", "梨园路", "运河东大街")),
    ("昌平", "102200", ("府学路", "回龙观西大街", "北清路", "昌平路", "天通苑北街")),
    ("大兴", "102600", ("兴华大街", "黄村西大街", "亦庄荣华中路", "经海路", "地盛北街")),
    ("顺义", "101300", ("府前中街", "新顺南大街", "天竺路", "后沙峪裕民大街")),
    ("房山", "102488", ("良乡拱辰大街", "长虹西路", "燕山迎风街")),
    ("门头沟", "102300", ("新桥大街", "滨河路")),
)
DISTRICT_WEIGHTS: Final = (26, 24, 8, 9, 9, 4, 6, 6, 5, 4, 3, 1)

BUILDING_WORDS: Final = ("大厦", "中心", "广场", "科技园", "写字楼", "商务楼", "国际中心", "综合楼")
SITE_LOCATIONS: Final = (
    "前台", "财务室", "行政部", "总经理办公室", "3楼办公区", "2楼开放办公区", "会议室",
    "打印间", "教务处", "档案室", "人事部", "销售部", "收银台", "库房",
)

# --- products ---------------------------------------------------------------------------

# (sku, name, category, brand, model, unit, cost in fen, list price in fen, sales points)
# Categories: printer, pc, consumable, part, service.
PRODUCTS: Final[tuple[tuple[str, str, str, str | None, str | None, str, int, int, str], ...]] = (
    # Printers and copiers
    ("P-HP-M404DN", "惠普 HP LaserJet Pro M404dn 黑白激光打印机", "printer", "HP",
     "LaserJet Pro M404dn", "台", 198000, 229900, "3.00"),
    ("P-HP-M405D", "惠普 HP LaserJet Pro M405d 黑白激光打印机", "printer", "HP",
     "LaserJet Pro M405d", "台", 176000, 199900, "2.50"),
    ("P-HP-1020", "惠普 HP LaserJet 1020 Plus 黑白激光打印机", "printer", "HP",
     "LaserJet 1020", "台", 95000, 109900, "1.50"),
    ("P-HP-M227FDW", "惠普 HP LaserJet Pro MFP M227fdw 多功能一体机", "printer", "HP",
     "LaserJet Pro MFP M227fdw", "台", 205000, 239900, "3.00"),
    ("P-HP-M479FDW", "惠普 HP Color LaserJet Pro MFP M479fdw 彩色一体机", "printer", "HP",
     "Color LaserJet Pro MFP M479fdw", "台", 468000, 539900, "6.00"),
    ("P-HP-E52645", "惠普 HP LaserJet Managed MFP E52645dn 高速一体机", "printer", "HP",
     "LaserJet MFP E52645dn", "台", 1150000, 1299900, "12.00"),
    ("P-CN-IR2625", "佳能 Canon imageRUNNER 2625 A3黑白复合机", "printer", "Canon",
     "iR 2625", "台", 1320000, 1580000, "15.00"),
    ("P-CN-IR2630", "佳能 Canon imageRUNNER 2630 A3黑白复合机", "printer", "Canon",
     "iR 2630", "台", 1480000, 1760000, "16.00"),
    ("P-CN-C3530", "佳能 Canon imageRUNNER ADVANCE C3530 A3彩色复合机", "printer", "Canon",
     "iR-ADV C3530", "台", 2650000, 3180000, "28.00"),
    ("P-CN-C5535", "佳能 Canon imageRUNNER ADVANCE C5535 A3彩色复合机", "printer", "Canon",
     "iR-ADV C5535", "台", 3880000, 4580000, "38.00"),
    ("P-CN-LBP2900", "佳能 Canon LBP2900+ 黑白激光打印机", "printer", "Canon",
     "LBP2900+", "台", 90000, 105000, "1.50"),
    ("P-CN-MF643", "佳能 Canon MF643Cdw 彩色激光一体机", "printer", "Canon",
     "MF643Cdw", "台", 265000, 309900, "3.50"),
    ("P-EP-LQ630K", "爱普生 Epson LQ-630K 针式打印机", "printer", "Epson",
     "LQ-630K", "台", 158000, 185000, "2.50"),
    ("P-EP-LQ735K", "爱普生 Epson LQ-735K 针式打印机（发票）", "printer", "Epson",
     "LQ-735K", "台", 185000, 219900, "2.50"),
    ("P-EP-L3258", "爱普生 Epson L3258 墨仓式彩色一体机", "printer", "Epson",
     "L3258", "台", 88000, 109900, "1.50"),
    ("P-BR-2260D", "兄弟 Brother HL-2260D 黑白激光打印机", "printer", "Brother",
     "HL-2260D", "台", 89000, 109900, "1.50"),
    ("P-BR-7180DN", "兄弟 Brother MFC-7880DN 黑白激光一体机", "printer", "Brother",
     "MFC-7880DN", "台", 168000, 199900, "2.50"),
    ("P-KY-M2540", "京瓷 Kyocera ECOSYS M2540dn 黑白一体机", "printer", "Kyocera",
     "ECOSYS M2540dn", "台", 258000, 299900, "3.50"),
    ("P-RC-IMC3000", "理光 Ricoh IM C3000 A3彩色数码复合机", "printer", "Ricoh",
     "IM C3000", "台", 2480000, 2980000, "26.00"),
    ("P-FX-DC5570", "富士施乐 Fuji Xerox DocuCentre-V 5070 A3黑白复合机", "printer",
     "Fuji Xerox", "DocuCentre-V 5070", "台", 2150000, 2560000, "22.00"),
    # PCs
    ("C-LN-M720", "联想 Lenovo ThinkCentre M720t 商用台式机 i5/8G/512G", "pc", "Lenovo",
     "ThinkCentre M720t", "台", 398000, 449900, "4.00"),
    ("C-LN-M930", "联想 Lenovo ThinkCentre M930t 商用台式机 i7/16G/1T", "pc", "Lenovo",
     "ThinkCentre M930t", "台", 558000, 629900, "5.00"),
    ("C-LN-E14", "联想 ThinkPad E14 笔记本 i5/16G/512G", "pc", "Lenovo",
     "ThinkPad E14", "台", 455000, 519900, "4.50"),
    ("C-LN-X1", "联想 ThinkPad X1 Carbon 笔记本 i7/16G/1T", "pc", "Lenovo",
     "ThinkPad X1 Carbon", "台", 968000, 1099900, "8.00"),
    ("C-LN-QT", "联想 启天 M437 台式机 i3/8G/256G", "pc", "Lenovo",
     "启天 M437", "台", 298000, 339900, "3.00"),
    ("C-DL-OP3080", "戴尔 Dell OptiPlex 3080 商用台式机 i5/8G/256G", "pc", "Dell",
     "OptiPlex 3080", "台", 375000, 429900, "4.00"),
    ("C-DL-V3510", "戴尔 Dell Vostro 3510 笔记本 i5/8G/512G", "pc", "Dell",
     "Vostro 3510", "台", 362000, 409900, "3.50"),
    ("C-HP-280G4", "惠普 HP 280 Pro G4 台式机 i5/8G/1T", "pc", "HP",
     "280 Pro G4", "台", 345000, 389900, "3.50"),
    ("C-AOC-24", "AOC 24英寸 IPS 显示器 24B2XH", "pc", "AOC", "24B2XH", "台",
     56000, 69900, "0.50"),
    ("C-DL-P2422", "戴尔 Dell P2422H 23.8英寸显示器", "pc", "Dell", "P2422H", "台",
     118000, 139900, "1.00"),
    # Consumables
    ("T-HP-CF226A", "惠普 HP CF226A 26A 原装黑色硒鼓", "consumable", "HP", "CF226A", "支",
     52000, 69900, "0.60"),
    ("T-HP-CF226X", "惠普 HP CF226X 26X 大容量硒鼓", "consumable", "HP", "CF226X", "支",
     78000, 99900, "0.80"),
    ("T-HP-CF258A", "惠普 HP CF258A 58A 原装硒鼓", "consumable", "HP", "CF258A", "支",
     59000, 76900, "0.60"),
    ("T-HP-CC388A", "惠普 HP CC388A 88A 原装硒鼓", "consumable", "HP", "CC388A", "支",
     36000, 48900, "0.40"),
    ("T-HP-Q2612A", "惠普 HP Q2612A 12A 原装硒鼓（1020适用）", "consumable", "HP", "Q2612A",
     "支", 33000, 45000, "0.40"),
    ("T-HP-CF230A", "惠普 HP CF230A 30A 原装硒鼓", "consumable", "HP", "CF230A", "支",
     39000, 52900, "0.40"),
    ("T-HP-W2040A", "惠普 HP W2040A 416A 黑色硒鼓", "consumable", "HP", "W2040A", "支",
     68000, 86900, "0.60"),
    ("T-CMP-226A", "国产兼容 CF226A 硒鼓（易加粉）", "consumable", "天威", "CF226A兼容", "支",
     8500, 18000, "0.30"),
    ("T-CMP-388A", "国产兼容 CC388A 硒鼓", "consumable", "天威", "CC388A兼容", "支",
     4500, 9900, "0.20"),
    ("T-CN-NPG59", "佳能 Canon NPG-59 原装墨粉", "consumable", "Canon", "NPG-59", "支",
     32000, 42000, "0.50"),
    ("T-CN-NPG67", "佳能 Canon NPG-67 彩色墨粉（黑）", "consumable", "Canon", "NPG-67", "支",
     36000, 48000, "0.50"),
    ("T-CN-CRG328", "佳能 Canon CRG-328 原装硒鼓", "consumable", "Canon", "CRG-328", "支",
     38000, 50900, "0.40"),
    ("T-CN-CRG912", "佳能 Canon CRG-912 原装硒鼓（LBP2900适用）", "consumable", "Canon",
     "CRG-912", "支", 33000, 45900, "0.40"),
    ("T-EP-S015290", "爱普生 Epson S015290 原装色带架（LQ-630K）", "consumable", "Epson",
     "S015290", "个", 2300, 3900, "0.10"),
    ("T-EP-S015583", "爱普生 Epson S015583 原装色带芯", "consumable", "Epson", "S015583", "个",
     1200, 2500, "0.10"),
    ("T-EP-003", "爱普生 Epson 003 原装墨水套装（四色）", "consumable", "Epson", "003", "套",
     13500, 19600, "0.20"),
    ("T-BR-TN2325", "兄弟 Brother TN-2325 原装粉盒", "consumable", "Brother", "TN-2325", "支",
     26000, 35900, "0.30"),
    ("T-BR-DR2350", "兄弟 Brother DR-2350 原装硒鼓架", "consumable", "Brother", "DR-2350",
     "支", 39000, 52900, "0.40"),
    ("T-KY-TK1178", "京瓷 Kyocera TK-1178 原装墨粉盒", "consumable", "Kyocera", "TK-1178", "支",
     42000, 56000, "0.50"),
    ("T-RC-C3000K", "理光 Ricoh IM C3000 原装碳粉（黑）", "consumable", "Ricoh", "IMC3000K", "支",
     43000, 58000, "0.50"),
    ("T-PAPER-A4", "得力 A4 复印纸 70g（5包/箱）", "consumable", "得力", "A4-70g", "箱",
     9800, 13500, "0.10"),
    ("T-PAPER-A4-80", "Double A A4 复印纸 80g（5包/箱）", "consumable", "Double A", "A4-80g",
     "箱", 13800, 18500, "0.15"),
    ("T-PAPER-A3", "得力 A3 复印纸 70g（5包/箱）", "consumable", "得力", "A3-70g", "箱",
     19600, 26000, "0.20"),
    ("T-FORM-241", "针式打印纸 241-2 二联（1000页）", "consumable", "晨光", "241-2", "箱",
     8500, 12500, "0.10"),
    # Parts
    ("A-HP-FUSER404", "惠普 M404/M405 定影组件 RM2-5399", "part", "HP", "RM2-5399", "个",
     48000, 88000, "0.80"),
    ("A-HP-ROLLER", "惠普 搓纸轮 RL2-0656", "part", "HP", "RL2-0656", "个",
     3500, 12000, "0.20"),
    ("A-HP-FILM1020", "惠普 1020 定影膜", "part", "HP", "RM1-4008膜", "个", 2800, 9800, "0.20"),
    ("A-CN-DRUM", "佳能 iR2625/2630 感光鼓 NPG-59 鼓组件", "part", "Canon", "NPG-59鼓", "个",
     68000, 118000, "1.00"),
    ("A-CN-FUSER", "佳能 iR-ADV 定影组件 FM1-A606", "part", "Canon", "FM1-A606", "个",
     126000, 198000, "1.50"),
    ("A-CN-PICKUP", "佳能 复合机搓纸轮组件", "part", "Canon", "FL2-4500", "套", 6500, 18000,
     "0.30"),
    ("A-EP-HEAD", "爱普生 LQ-630K 打印头", "part", "Epson", "F106000", "个", 42000, 78000,
     "0.80"),
    ("A-CN-BLADE", "复合机 清洁刮板", "part", "Canon", "FC8-2276", "个", 5500, 16000, "0.20"),
    ("A-PC-SSD", "金士顿 512G 固态硬盘 SATA", "part", "Kingston", "A400 512G", "个",
     22000, 35900, "0.30"),
    ("A-PC-RAM", "金士顿 8G DDR4 3200 内存条", "part", "Kingston", "DDR4 8G", "条",
     13000, 22900, "0.20"),
    ("A-PC-PSU", "航嘉 300W 台式机电源", "part", "航嘉", "JUMPER300", "个", 11000, 19900,
     "0.20"),
    ("A-NET-SW8", "TP-LINK 8口千兆交换机", "part", "TP-LINK", "SG1008D", "台", 7800, 12900,
     "0.10"),
    # Services
    ("S-ONSITE", "上门维修服务（市区）", "service", None, None, "次", 4000, 15000, "0.80"),
    ("S-BENCH", "送修检测维修服务", "service", None, None, "次", 2000, 8000, "0.50"),
    ("S-MAINT", "打印机/复印机 保养服务", "service", None, None, "次", 3000, 12000, "0.60"),
    ("S-INSTALL", "设备安装调试及网络打印配置", "service", None, None, "次", 3000, 10000,
     "0.50"),
    ("S-PCSETUP", "电脑系统安装及数据迁移", "service", None, None, "次", 2500, 9000, "0.40"),
    ("S-REFILL", "硒鼓加粉服务", "service", None, None, "次", 1200, 4500, "0.20"),
    ("S-FULL-YEAR", "全保服务合同（每台每年，含配件耗材）", "service", None, None, "台·年",
     180000, 360000, "4.00"),
    ("S-LABOUR-YEAR", "人工保修服务合同（每台每年）", "service", None, None, "台·年",
     36000, 96000, "1.50"),
    ("S-VISIT-PACK", "按次上门服务包（6次）", "service", None, None, "套", 18000, 72000, "1.00"),
)

# --- customer devices ---------------------------------------------------------------------

# (brand, model, device kind, serial pattern, catalog sku or None, pages per day range)
# Device kinds: laser (desktop laser printer), copier (A3 multifunction), dot (dot-matrix),
# inkjet, pc. Serial patterns: see app.demo._serial.
DEVICE_MODELS: Final[tuple[tuple[str, str, str, str, str | None, int, int], ...]] = (
    ("HP", "LaserJet Pro M404dn", "laser", "hp", "P-HP-M404DN", 30, 400),
    ("HP", "LaserJet Pro M405d", "laser", "hp", "P-HP-M405D", 30, 300),
    ("HP", "LaserJet 1020", "laser", "hp", "P-HP-1020", 10, 120),
    ("HP", "LaserJet Pro MFP M227fdw", "laser", "hp", "P-HP-M227FDW", 20, 250),
    ("HP", "Color LaserJet Pro MFP M479fdw", "laser", "hp", "P-HP-M479FDW", 20, 300),
    ("HP", "LaserJet P1108", "laser", "hp", None, 10, 100),
    ("HP", "LaserJet Pro P1106", "laser", "hp", None, 10, 100),
    ("Canon", "iR 2625", "copier", "canon", "P-CN-IR2625", 150, 1500),
    ("Canon", "iR 2630", "copier", "canon", "P-CN-IR2630", 150, 1800),
    ("Canon", "iR-ADV C3530", "copier", "canon", "P-CN-C3530", 200, 2500),
    ("Canon", "iR-ADV C5535", "copier", "canon", "P-CN-C5535", 300, 3000),
    ("Canon", "iR 2520", "copier", "canon", None, 100, 1000),
    ("Canon", "LBP2900+", "laser", "canon", "P-CN-LBP2900", 10, 150),
    ("Canon", "MF643Cdw", "laser", "canon", "P-CN-MF643", 20, 200),
    ("Epson", "LQ-630K", "dot", "epson", "P-EP-LQ630K", 10, 150),
    ("Epson", "LQ-735K", "dot", "epson", "P-EP-LQ735K", 10, 150),
    ("Epson", "L3258", "inkjet", "epson", "P-EP-L3258", 5, 60),
    ("Brother", "HL-2260D", "laser", "brother", "P-BR-2260D", 10, 150),
    ("Brother", "MFC-7880DN", "laser", "brother", "P-BR-7180DN", 20, 250),
    ("Kyocera", "ECOSYS M2540dn", "laser", "kyocera", "P-KY-M2540", 30, 400),
    ("Ricoh", "IM C3000", "copier", "ricoh", "P-RC-IMC3000", 200, 2500),
    ("Fuji Xerox", "DocuCentre-V 5070", "copier", "xerox", "P-FX-DC5570", 200, 2500),
    ("Lenovo", "ThinkCentre M720t", "pc", "lenovo", "C-LN-M720", 0, 0),
    ("Lenovo", "ThinkCentre M930t", "pc", "lenovo", "C-LN-M930", 0, 0),
    ("Lenovo", "ThinkPad E14", "pc", "lenovo", "C-LN-E14", 0, 0),
    ("Lenovo", "启天 M437", "pc", "lenovo", "C-LN-QT", 0, 0),
    ("Dell", "OptiPlex 3080", "pc", "dell", "C-DL-OP3080", 0, 0),
    ("HP", "280 Pro G4", "pc", "hppc", "C-HP-280G4", 0, 0),
)
# Relative frequency of each model among customers' devices (same order as DEVICE_MODELS).
DEVICE_WEIGHTS: Final = (
    14, 6, 9, 7, 4, 5, 4, 6, 4, 4, 2, 3, 5, 3, 7, 4, 3, 5, 3, 3, 2, 2, 5, 2, 3, 3, 3, 2,
)

# --- repair -------------------------------------------------------------------------------

# Faults per device kind: (symptom, cause, solution, part sku or None, job type, difficulty)
FAULTS: Final[dict[str, tuple[tuple[str, str, str, str | None, str, int], ...]]] = {
    "laser": (
        ("打印件有黑色竖条纹", "感光鼓表面划伤", "更换硒鼓，清洁转印辊", None, "bench_repair", 1),
        ("卡纸，纸张卡在定影部位", "定影膜破损", "拆机更换定影膜，检查压力辊", "A-HP-FILM1020",
         "bench_repair", 2),
        ("打印件字迹一擦就掉", "定影组件老化，温度不足", "更换定影组件并测试", "A-HP-FUSER404",
         "bench_repair", 2),
        ("不进纸或一次进多张", "搓纸轮磨损打滑", "更换搓纸轮及分页器", "A-HP-ROLLER",
         "on_site_repair", 1),
        ("开机报错 49 错误", "固件异常", "重刷固件并恢复出厂设置", None, "on_site_repair", 2),
        ("网络打印无法连接", "IP地址冲突，驱动端口错误", "设置固定IP，重新安装驱动", None,
         "on_site_repair", 1),
        ("打印颜色浅，有底灰", "硒鼓粉量不足", "更换原装硒鼓，调整浓度", None, "maintenance", 1),
        ("打印时有异响", "齿轮组缺油磨损", "清洁润滑齿轮组，更换损坏齿轮", None, "bench_repair", 3),
    ),
    "copier": (
        ("复印件有黑线", "扫描玻璃脏污或刮板老化", "清洁扫描玻璃，更换清洁刮板", "A-CN-BLADE",
         "on_site_repair", 1),
        ("报错 E000 定影错误", "定影加热器故障", "更换定影组件，清除错误代码", "A-CN-FUSER",
         "on_site_repair", 3),
        ("纸盒频繁卡纸", "搓纸轮组件磨损", "更换搓纸轮组件并调整纸盒", "A-CN-PICKUP",
         "on_site_repair", 2),
        ("复印件底灰严重", "感光鼓寿命到期", "更换感光鼓组件，执行浓度校正", "A-CN-DRUM",
         "on_site_repair", 2),
        ("扫描到文件夹失败", "共享文件夹密码修改", "重新配置SMB扫描地址和账号", None,
         "on_site_repair", 1),
        ("彩色偏色", "未做色彩校准", "执行自动灰阶调整和色彩校准", None, "maintenance", 1),
        ("输稿器不进稿", "输稿器搓纸轮脏污", "清洁输稿器搓纸轮，必要时更换", None,
         "maintenance", 1),
        ("例行保养", "计划保养", "清洁内部，检查易损件，打印测试页", None, "maintenance", 1),
    ),
    "dot": (
        ("打印断针，字缺笔画", "打印头断针", "更换打印头", "A-EP-HEAD", "bench_repair", 2),
        ("色带不走", "色带架卡死", "更换色带架，检查传动齿轮", None, "bench_repair", 1),
        ("发票套打位置偏移", "纸张设置错误", "调整页边距和撕纸位置，保存驱动设置", None,
         "on_site_repair", 1),
        ("打印字迹淡", "色带老化", "更换色带芯", None, "maintenance", 1),
    ),
    "inkjet": (
        ("打印缺色", "喷头堵塞", "执行清洗，必要时强力清洗", None, "bench_repair", 1),
        ("提示废墨垫已满", "废墨计数到达上限", "更换废墨垫并清零计数器", None, "bench_repair", 2),
    ),
    "pc": (
        ("开机蓝屏", "内存条接触不良", "清洁金手指，更换内存条", "A-PC-RAM", "bench_repair", 1),
        ("开机很慢，经常卡死", "机械硬盘老化", "更换固态硬盘并迁移系统", "A-PC-SSD",
         "bench_repair", 2),
        ("无法开机，电源灯不亮", "电源损坏", "更换电源", "A-PC-PSU", "bench_repair", 1),
        ("中毒，文件被加密", "未及时打补丁，打开了可疑附件", "隔离电脑，重装系统，恢复备份",
         None, "bench_repair", 3),
        ("无法上网", "网卡驱动丢失", "重新安装网卡驱动", None, "on_site_repair", 1),
        ("新电脑安装调试", "新购设备", "安装系统、办公软件和打印机驱动", None, "installation", 1),
    ),
}

ACCESSORIES: Final = (
    "电源线", "电源线、USB数据线", "硒鼓", "电源线、硒鼓", "无", "电源适配器", "纸盒", "色带架",
)
CONDITIONS: Final = ("外观完好", "外壳有划痕", "面板有裂痕", "机器较脏", "缺少螺丝", "外观正常")

# --- sales --------------------------------------------------------------------------------

VISIT_PURPOSES: Final[dict[str, tuple[str, ...]]] = {
    "walk_in": ("购买硒鼓", "咨询打印机价格", "咨询电脑配置", "送修设备咨询", "购买复印纸",
                "询问兼容耗材", "咨询维修费用", "取发票"),
    "phone": ("电话订购耗材", "咨询复印机租赁", "询问报价进度", "催发货", "报修咨询",
              "咨询保养合同", "回访客户使用情况", "确认付款"),
    "visit": ("拜访了解新办公室采购需求", "年度采购计划沟通", "复印机更换方案介绍",
              "合同续签洽谈", "新品推介", "送货并回访", "收款对账", "介绍全保服务"),
}
VISIT_OUTCOMES: Final = (
    "客户有购买意向，等待报价", "已下单", "客户暂无需求", "需要与领导商量", "客户比较价格中",
    "已发送报价单", "约定下周再联系", "客户满意，考虑增购", "已收款", "客户要求上门演示",
)
NEXT_STEPS: Final = (
    "发送报价", "电话跟进", "安排上门演示", "准备合同", "送样品", "提醒客户付款",
    "约技术人员上门", "节后再联系",
)
RETURN_COMMENTS: Final = (
    "请补充客户需求细节", "联系人信息不完整", "跟进日期未填写", "请写明客户关注的产品",
)
LOST_REASONS: Final = (
    "价格高于竞争对手", "客户预算取消", "客户选择了网购", "交货期太长", "客户内部采购流程变更",
)
OPPORTUNITY_TITLES: Final = (
    "办公室新增打印机", "A3彩色复合机更换", "年度耗材采购", "新员工电脑采购", "全保服务合同",
    "分公司设备配置", "财务室针式打印机", "会议室设备升级", "机房网络设备", "复印机租赁转购买",
)
RENEED_NOTES: Final = (
    "维修时发现设备老化严重，客户考虑更换新机",
    "客户打印量大，建议更换A3彩色复合机",
    "客户询问硒鼓批量采购价格",
    "客户打算新增两台电脑",
    "客户对全保服务合同感兴趣",
)
QUOTATION_TERMS: Final = (
    "报价含税（13%增值税专用发票），含送货安装，有效期内价格不变。",
    "整机保修一年，上门服务；付款方式：货到30天内付清。",
    "以上价格含税含运费，签约后3个工作日内交货。",
)
ORDER_NOTES: Final = ("需开增值税专票", "送货前电话联系", "请带发票", "周末不收货", "分两批送货")

TASK_TITLES: Final = (
    "回访客户 {name}", "催收 {name} 货款", "整理 {name} 客户资料", "为 {name} 准备续约报价",
    "上门检查 {name} 设备", "{name} 投诉处理", "确认 {name} 送货地址",
)
DEPARTMENT_TASKS: Final = (
    "月度盘点耗材库存", "整理上月维修记录", "更新产品价格表", "本周客户回访统计",
)
TASK_REPORTS: Final = (
    "已完成", "已电话联系客户，客户满意", "已上门处理", "客户已付款", "资料已更新",
)

CARE_TITLES: Final[dict[str, str]] = {
    "follow_up": "跟进 {name}",
    "contract_expiry": "{name} 服务合同即将到期",
    "reorder": "{name} 耗材可能用完，提醒续购",
    "birthday": "{contact} 生日问候",
    "holiday": "{holiday} 问候 {name}",
    "other": "{name} 年度满意度回访",
}
# Holidays on which key accounts get greetings: fixed dates, and the lunar ones by year.
FIXED_HOLIDAYS: Final[tuple[tuple[str, int, int], ...]] = (("元旦", 1, 1), ("国庆节", 10, 1))
LUNAR_HOLIDAYS: Final[dict[str, dict[int, tuple[int, int]]]] = {
    "春节": {2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10),
             2025: (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13),
             2030: (2, 3)},
    "中秋节": {2020: (10, 1), 2021: (9, 21), 2022: (9, 10), 2023: (9, 29), 2024: (9, 17),
               2025: (10, 6), 2026: (9, 25), 2027: (9, 15), 2028: (10, 3), 2029: (9, 22),
               2030: (9, 12)},
}
CARE_OUTCOMES: Final[dict[str, tuple[str, ...]]] = {
    "follow_up": ("已电话联系，客户暂无新需求", "客户约下月再谈", "已发送产品资料"),
    "contract_expiry": ("客户同意续签", "已发送续签报价", "客户考虑中"),
    "reorder": ("客户已续购", "客户暂不需要", "客户库存还够用一个月"),
    "birthday": ("已发送微信祝福", "已电话问候", "已寄送贺卡"),
    "holiday": ("已发送节日祝福", "已寄送节日礼品", "已电话问候"),
    "other": ("客户满意", "客户提出改进意见"),
}
# Channel codes as app.services.care.CHANNELS stores them.
CARE_CHANNELS: Final = ("phone", "wechat", "sms", "visit", "email")
BANKS: Final = ("工商银行", "建设银行", "招商银行", "北京银行", "农业银行", "中国银行")
