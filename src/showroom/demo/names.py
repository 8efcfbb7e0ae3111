"""Data pools for the synthetic dealerships: brands and models, cities, people's names, phones.

These are data, not user-facing text, so they stay in Chinese here (as a dealer would type them).
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

# Brand -> models, most popular first (weights fall off along the list).
BRANDS: dict[str, list[str]] = {
    "北京现代": ["伊兰特", "途胜L", "名图", "领动", "索纳塔", "ix35", "库斯途", "胜达"],
    "一汽-大众": ["速腾", "迈腾", "宝来", "探岳", "探歌", "高尔夫", "CC"],
    "上汽大众": ["朗逸", "帕萨特", "途观L", "凌渡", "途昂", "桑塔纳"],
    "广汽丰田": ["凯美瑞", "雷凌", "汉兰达", "威兰达", "致炫", "C-HR"],
    "一汽丰田": ["卡罗拉", "RAV4荣放", "亚洲龙", "凌放", "皇冠陆放"],
    "东风日产": ["轩逸", "奇骏", "天籁", "逍客", "楼兰"],
    "广汽本田": ["雅阁", "缤智", "皓影", "飞度", "冠道"],
    "东风本田": ["思域", "CR-V", "XR-V", "英仕派", "艾力绅"],
    "长安福特": ["福克斯", "锐际", "蒙迪欧", "锐界", "探险者"],
    "上汽通用别克": ["英朗", "君威", "昂科威", "君越", "GL8"],
    "吉利汽车": ["帝豪", "博越", "星越L", "星瑞", "缤越"],
    "比亚迪": ["秦PLUS", "宋PLUS", "汉", "元PLUS", "唐", "海豚"],
    "长城哈弗": ["哈弗H6", "哈弗大狗", "哈弗M6", "哈弗H9"],
    "奇瑞": ["瑞虎8", "艾瑞泽8", "瑞虎7", "瑞虎5x"],
    "东风英菲尼迪": ["QX50", "Q50L", "QX60", "QX55"],
}

CITIES: dict[str, list[str]] = {
    "北京": ["朝阳", "海淀", "丰台", "大兴", "通州", "顺义", "昌平"],
    "上海": ["浦东", "闵行", "嘉定", "宝山", "松江", "青浦"],
    "广州": ["天河", "白云", "番禺", "花都", "黄埔"],
    "深圳": ["南山", "福田", "龙岗", "宝安", "龙华"],
    "杭州": ["西湖", "萧山", "余杭", "滨江", "拱墅"],
    "南京": ["江宁", "鼓楼", "浦口", "栖霞"],
    "苏州": ["园区", "吴中", "相城", "昆山"],
    "成都": ["武侯", "锦江", "成华", "双流", "郫都"],
    "重庆": ["渝北", "九龙坡", "南岸", "沙坪坝"],
    "武汉": ["汉阳", "武昌", "江岸", "洪山"],
    "西安": ["雁塔", "未央", "长安", "灞桥"],
    "天津": ["河西", "南开", "滨海", "东丽"],
    "郑州": ["金水", "二七", "郑东", "中原"],
    "长沙": ["岳麓", "雨花", "开福", "芙蓉"],
    "济南": ["历下", "槐荫", "历城", "章丘"],
    "青岛": ["市北", "黄岛", "崂山", "城阳"],
    "沈阳": ["铁西", "浑南", "大东", "于洪"],
    "合肥": ["蜀山", "包河", "庐阳", "瑶海"],
    "福州": ["鼓楼", "仓山", "晋安"],
    "厦门": ["思明", "湖里", "集美"],
    "宁波": ["鄞州", "江北", "北仑", "镇海"],
    "无锡": ["滨湖", "梁溪", "新吴", "惠山"],
}

GROUP_NAME = "示范汽车集团"
DEMO_STORE_NAME = "北京现代 示范店"
DEMO_BRAND = "北京现代"

# Common surnames with their approximate share of the population (percent).
_SURNAMES = (
    "王7.1 李7.0 张6.7 刘5.4 陈4.6 杨3.1 黄2.2 赵2.2 吴2.0 周1.9 徐1.3 孙1.5 马1.2 朱1.1 胡1.0 "
    "郭1.1 何0.9 高0.9 林0.9 罗0.9 郑0.8 梁0.7 谢0.6 宋0.6 唐0.6 许0.5 韩0.6 冯0.5 邓0.5 曹0.5 "
    "彭0.5 曾0.5 肖0.5 田0.4 董0.4 袁0.4 潘0.4 于0.4 蒋0.4 蔡0.4 余0.4 杜0.4 叶0.4 程0.3 苏0.3 "
    "魏0.3 吕0.3 丁0.3 任0.3 沈0.3 姚0.3 卢0.3 姜0.3 崔0.3 钟0.3 谭0.3 陆0.3 汪0.3 范0.3 金0.3 "
    "石0.2 廖0.2 贾0.2 夏0.2 韦0.2 付0.2 方0.2 白0.2 邹0.2 孟0.2 熊0.2 秦0.2 邱0.2 江0.2 尹0.2 "
    "薛0.2 段0.2 雷0.2 侯0.2 龙0.2 史0.2 黎0.1 贺0.1 顾0.1 毛0.1 郝0.1 龚0.1 邵0.1 万0.1 严0.1 "
    "欧阳0.03 司马0.01 诸葛0.01"
).split()
SURNAMES = [s.rstrip("0123456789.") for s in _SURNAMES]
SURNAME_WEIGHTS = [float(s[len(n) :]) for s, n in zip(_SURNAMES, SURNAMES, strict=True)]
_SURNAME_CUM = list(accumulate(SURNAME_WEIGHTS))


def surname(rng: random.Random) -> str:
    return SURNAMES[bisect(_SURNAME_CUM, rng.random() * _SURNAME_CUM[-1])]


MALE_CHARS = list(
    "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳洋博文峰亮建国志海成东兵"
)
FEMALE_CHARS = list("芳娜敏静丽艳娟霞燕玲婷雪慧琳倩颖晶欣悦佳怡梦蕾婉萍红琴月云莉蓉洁璐瑶")

# Mobile prefixes of the three carriers (and a few virtual operators).
MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 147 150 151 152 153 155 156 157 158 159 "
    "166 173 175 176 177 178 180 181 182 183 184 185 186 187 188 189 191 198 199"
).split()


def person_name(rng: random.Random, *, female: bool | None = None) -> str:
    family = surname(rng)
    if female is None:
        female = rng.random() < 0.42
    pool = FEMALE_CHARS if female else MALE_CHARS
    n = len(pool)
    given = pool[int(rng.random() * n)]
    if rng.random() >= 0.45:
        given += pool[int(rng.random() * n)]
    return family + given


def polite_name(rng: random.Random) -> str:
    """What a party that gives no full name leaves at the desk: 王先生 / 李女士."""
    return surname(rng) + ("女士" if rng.random() < 0.4 else "先生")


def mobile(rng: random.Random) -> str:
    prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
    return prefix + f"{int(rng.random() * 100_000_000):08d}"


def written_phone(rng: random.Random, digits: str) -> str:
    """How a phone number gets typed: mostly bare, sometimes grouped or with +86."""
    r = rng.random()
    if r < 0.06:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if r < 0.09:
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if r < 0.11:
        return f"+86 {digits}"
    return digits


PURCHASE_TIMEFRAMES = {
    "O": "已签约",
    "H": "7天内",
    "A": "1个月内",
    "B": "1-3个月",
    "C": "3个月以上",
    "": "",
}
# What a consultant jots down now and then.
NOTES = [
    "比较竞品",
    "带家人看车",
    "询问置换政策",
    "关注金融方案",
    "等月底优惠",
    "看现车颜色",
    "单位用车",
]
DEMO_GROUP_ANALYST = "周敏"
DEMO_GROUP_ADMIN = "郑海"
DEMO_STORE_ADMIN = "冯静"

# Guide price in ten-thousand yuan (万元) of a mid configuration, for quotes and accessories.
PRICES: dict[str, float] = {
    **{"伊兰特": 10.5, "途胜L": 17, "名图": 13, "领动": 11, "索纳塔": 18, "ix35": 13, "库斯途": 18},
    **{"胜达": 22, "速腾": 15, "迈腾": 20, "宝来": 11, "探岳": 22, "探歌": 15, "高尔夫": 14},
    **{"CC": 24, "朗逸": 11, "帕萨特": 20, "途观L": 23, "凌渡": 15, "途昂": 30, "桑塔纳": 8},
    **{"凯美瑞": 20, "雷凌": 12, "汉兰达": 28, "威兰达": 19, "致炫": 8, "C-HR": 15},
    **{"卡罗拉": 12, "RAV4荣放": 19, "亚洲龙": 21, "凌放": 24, "皇冠陆放": 32},
    **{"轩逸": 11, "奇骏": 19, "天籁": 19, "逍客": 14, "楼兰": 25},
    **{"雅阁": 19, "缤智": 12, "皓影": 19, "飞度": 8.5, "冠道": 25},
    **{"思域": 13, "CR-V": 19, "XR-V": 13, "英仕派": 18, "艾力绅": 30},
    **{"福克斯": 11, "锐际": 16, "蒙迪欧": 19, "锐界": 25, "探险者": 30},
    **{"英朗": 10, "君威": 17, "昂科威": 21, "君越": 21, "GL8": 30},
    **{"帝豪": 7.5, "博越": 11, "星越L": 16, "星瑞": 13, "缤越": 9},
    **{"秦PLUS": 10, "宋PLUS": 15, "汉": 20, "元PLUS": 13, "唐": 23, "海豚": 10},
    **{"哈弗H6": 12, "哈弗大狗": 14, "哈弗M6": 8, "哈弗H9": 23},
    **{"瑞虎8": 12, "艾瑞泽8": 11, "瑞虎7": 10, "瑞虎5x": 7},
    **{"QX50": 33, "Q50L": 26, "QX60": 45, "QX55": 38},
}
# New-energy brands get green plates with an extra character.
NEW_ENERGY_BRANDS = {"比亚迪"}
# World manufacturer identifiers that start each brand's VINs (ISO 3780).
WMI: dict[str, str] = {
    "北京现代": "LBE",
    "一汽-大众": "LFV",
    "上汽大众": "LSV",
    "广汽丰田": "LVG",
    "一汽丰田": "LFM",
    "东风日产": "LGB",
    "广汽本田": "LHG",
    "东风本田": "LVH",
    "长安福特": "LVS",
    "上汽通用别克": "LSG",
    "吉利汽车": "L6T",
    "比亚迪": "LGX",
    "长城哈弗": "LGW",
    "奇瑞": "LVV",
    "东风英菲尼迪": "LDN",
}
# Licence plate prefixes of the cities (province character and city letter).
PLATES: dict[str, list[str]] = {
    "北京": ["京N", "京Q", "京P", "京M", "京H", "京F"],
    "上海": ["沪A", "沪B", "沪D", "沪G", "沪K"],
    "广州": ["粤A"],
    "深圳": ["粤B"],
    "杭州": ["浙A"],
    "南京": ["苏A"],
    "苏州": ["苏E", "苏U"],
    "成都": ["川A", "川G"],
    "重庆": ["渝A", "渝B", "渝D"],
    "武汉": ["鄂A"],
    "西安": ["陕A", "陕U"],
    "天津": ["津A", "津C", "津N"],
    "郑州": ["豫A"],
    "长沙": ["湘A"],
    "济南": ["鲁A"],
    "青岛": ["鲁B", "鲁U"],
    "沈阳": ["辽A"],
    "合肥": ["皖A"],
    "福州": ["闽A"],
    "厦门": ["闽D"],
    "宁波": ["浙B"],
    "无锡": ["苏B"],
}
DEMO_CITY = "北京"
# Brands a lost prospect bought instead: the other brands above and these.
OTHER_BRANDS: dict[str, list[str]] = {
    "特斯拉": ["Model 3", "Model Y"],
    "理想汽车": ["L6", "L7", "L8"],
    "问界": ["M5", "M7", "M9"],
    "小米汽车": ["SU7", "YU7"],
    "蔚来": ["ET5", "ES6"],
    "小鹏汽车": ["P7+", "G6", "MONA M03"],
    "零跑汽车": ["C10", "C11", "C16"],
    "华晨宝马": ["3系", "X1", "5系"],
    "北京奔驰": ["C级", "GLC", "E级"],
    "一汽奥迪": ["A4L", "Q5L", "A6L"],
    "长安汽车": ["CS75 PLUS", "逸动", "UNI-V"],
    "五菱": ["宏光MINIEV", "缤果"],
}
TEST_DRIVE_ROUTES = [
    "城市道路线（约8公里）",
    "快速路线（约12公里）",
    "综合路况线（约10公里）",
    "园区短线（约5公里）",
    "高速往返线（约20公里）",
]
INDUSTRIES = [
    "IT/互联网",
    "制造业",
    "金融",
    "教育",
    "医疗",
    "政府/事业单位",
    "个体经营",
    "物流运输",
    "建筑/房地产",
    "餐饮服务",
]
COLOURS = ["珍珠白", "极地白", "曜石黑", "星空灰", "钛金银", "宝石蓝", "烈焰红"]
CONFIGURATIONS = ["舒适版", "精英版", "豪华版", "尊贵版", "旗舰版"]
NOT_CLOSED = [
    "价格还在比较",
    "等家人商量",
    "等待贷款审批",
    "对比竞品中",
    "等月底活动",
    "预算还差一些",
    "旧车置换评估中",
    "想要的颜色没现车",
]
NO_ANSWER = {"call": "电话未接通", "message": "消息未回复", "home_visit": "上门未见到"}
LOSS_DESCRIPTIONS: dict[str, list[str]] = {
    "price": ["竞品优惠更大", "对方店报价低五千", "预算有限选了便宜的"],
    "product": ["更看重空间", "想要混动/电动车型", "配置不如竞品"],
    "brand": ["家人更认可对方品牌", "朋友推荐别的品牌"],
    "service": ["对接待不满意", "回复太慢"],
    "finance": ["贷款没批下来", "对方金融方案零首付"],
    "delivery_time": ["等车太久", "要的颜色要等两个月"],
    "trade_in": ["旧车置换价格低", "对方置换补贴更高"],
    "location": ["离家太远", "在老家买了"],
    "other": ["联系不上", "暂缓购车", "计划取消", "单位用车计划取消"],
}
REACTIVATION_NOTES = [
    "回访得知仍未购车，重新有意向",
    "竞品价格没谈拢，愿意再来看车",
    "换了联系方式，现已联系上",
    "家里需要第二辆车，重新考虑",
]
SERVICE_ADVISORS = ["刘建", "陈晓东", "王磊", "张敏", "李强", "赵婷", "周伟", "孙丽"]
MANAGER_RETURN_NOTES = ["还有机会，再跟进一次", "周末邀约到店再谈", "先别放弃，我来申请特价"]
REVIEW_COMMENTS = [
    "",
    "跟进及时，继续保持",
    "H级客户要每两天联系",
    "逾期客户明天必须联系",
    "试驾邀约偏少",
    "记录不完整，补齐意向车型",
    "战败原因写具体一些",
]
ORDER_FOLLOW_UPS = ["告知到车时间", "确认交车日期", "提醒准备资料", "确认上牌资料"]
SERVICE_NOTES: dict[str, list[str]] = {
    "maintenance": ["常规保养", "更换机油机滤", "保养+四轮定位"],
    "repair": ["更换刹车片", "空调维修", "更换蓄电池", "异响检查"],
    "accident": ["前保险杠钣喷", "追尾维修", "车门划痕钣喷"],
    "warranty": ["召回检修", "质保更换部件"],
}
FIRST_SERVICE_NOTE = "首保"
CARE_NOTES = {
    "call_3day": "交车3日回访",
    "insurance": "续保提醒",
    "maintenance": "保养提醒",
    "birthday": "生日关怀",
}
LEAD_NOTES = [
    "汽车之家询价",
    "懂车帝留资",
    "易车询底价",
    "官网预约试驾",
    "400来电留资",
    "直播间留资",
]
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "sina.com"]
