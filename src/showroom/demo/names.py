"""Data pools for the synthetic dealerships: brands and models, cities, people's names, phones.

These are data, not user-facing text, so they stay in Chinese here (as a dealer would type them).
"""

from __future__ import annotations

import random

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
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    if female is None:
        female = rng.random() < 0.42
    pool = FEMALE_CHARS if female else MALE_CHARS
    given = rng.choice(pool) if rng.random() < 0.45 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def polite_name(rng: random.Random) -> str:
    """What a party that gives no full name leaves at the desk: 王先生 / 李女士."""
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    return surname + ("女士" if rng.random() < 0.4 else "先生")


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


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
