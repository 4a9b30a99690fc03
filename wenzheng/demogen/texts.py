"""Words for the demonstration city's messages: topics, titles, replies and fictitious people."""

from __future__ import annotations

import random

from domain.vocabulary import RATINGS as ALL_RATINGS

# Category shares follow Yulin's account: personal demands and policy questions about 90%.
CATEGORIES: tuple[tuple[str, float], ...] = (
    ("投诉", 0.25), ("反映", 0.25), ("求助", 0.10), ("咨询", 0.30), ("建议", 0.09), ("其他", 0.01),
)
CATEGORY_GROUP: dict[str, str] = {
    "投诉": "个人利益诉求", "反映": "个人利益诉求", "求助": "个人利益诉求",
    "咨询": "政策咨询", "建议": "建言献策", "其他": "其他",
}
SOURCES: tuple[tuple[str, float], ...] = (
    ("12345热线", 0.45), ("人民网留言板", 0.22), ("市长信箱", 0.18), ("问政湖南", 0.15),
)
RATINGS: tuple[str, ...] = tuple(r.value for r in ALL_RATINGS)
PRIORITIES: tuple[tuple[str, float], ...] = (("一般", 0.895), ("重要", 0.1), ("重大", 0.005))

TOPICS: dict[str, tuple[str, ...]] = {
    "GAJ": ("夜间飙车噪音扰民", "户口迁移办理", "电动车被盗", "居住证办理进度"),
    "ZJJ": ("小区物业不作为", "住房公积金提取", "楼盘逾期交房", "老旧小区改造进度"),
    "RSJ": ("农民工工资拖欠", "社保缴费年限", "退休待遇核定", "职业技能补贴"),
    "JYJ": ("学位分配", "校外培训收费", "校车接送安全", "教师招聘政策"),
    "WJW": ("医院排队时间长", "疫苗接种预约", "乡镇卫生院缺医生", "医疗收费不透明"),
    "ZRJ": ("不动产证办理", "宅基地审批", "规划调整", "土地征收补偿"),
    "HBJ": ("工厂排放异味", "河道污染", "餐饮油烟扰民", "建筑扬尘"),
    "JTJ": ("公交线路调整", "道路坑洼", "出租车拒载", "客运班次减少"),
    "SJJ": ("食品安全", "商家虚假宣传", "预付卡退费", "电梯维保"),
    "CGJ": ("占道经营", "违章搭建", "垃圾清运不及时", "路灯不亮"),
    "MZJ": ("低保申请", "养老院服务", "残疾人补贴", "殡葬管理"),
    "NYJ": ("农资质量", "耕地撂荒", "农业补贴发放", "动物防疫"),
    "SLJ": ("农田灌溉", "河堤安全", "饮水工程", "水库移民补助"),
    "YBJ": ("医保报销比例", "异地就医备案", "门诊慢特病", "医保卡使用"),
    "GDJ": ("频繁停电", "电表计量", "线路老化", "充电桩报装"),
    "ZLS": ("自来水水质发黄", "停水无通知", "水压不足", "水费异常"),
}
GENERIC_TOPICS: tuple[str, ...] = (
    "道路破损", "村道硬化", "噪音扰民", "环境卫生", "征地补偿", "邻里纠纷", "办事难", "路灯维修",
)
PLACES: tuple[str, ...] = ("某小区", "某路段", "某村", "某学校附近", "某街道", "某市场")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红玲"
OFFICE_STAFF: tuple[str, ...] = ("wgzx.wang", "wgzx.li", "wgzx.zhao", "wgzx.chen")
DEPT_STAFF: tuple[str, ...] = ("liu", "yang", "huang", "zhou", "wu")


def pick(rng: random.Random, table: tuple[tuple[str, float], ...]) -> str:
    """A weighted choice from (value, weight) pairs."""
    x = rng.random() * sum(w for _, w in table)
    for value, weight in table:
        x -= weight
        if x < 0:
            return value
    return table[-1][0]


def topic_for(code: str, rng: random.Random) -> str:
    """A topic the unit typically handles."""
    return rng.choice(TOPICS.get(code, GENERIC_TOPICS))


def title(category: str, region: str, topic: str, rng: random.Random) -> str:
    """A message title in the style of the boards."""
    place = region + rng.choice(PLACES)
    if category == "咨询":
        return f"关于{topic}的咨询"
    if category == "建议":
        return f"建议解决{place}{topic}问题"
    if category == "求助":
        return f"{place}{topic}，恳请帮助"
    return f"{place}{topic}问题"


def content(category: str, region: str, topic: str, rng: random.Random) -> str:
    """A short message body."""
    place = region + rng.choice(PLACES)
    months = rng.randint(1, 24)
    if category == "咨询":
        return f"您好，我想咨询{topic}的相关政策和办理流程，需要准备哪些材料？谢谢。"
    if category == "建议":
        return f"{place}{topic}问题已存在{months}个月，建议有关部门统筹研究、尽快改善。"
    return f"{place}{topic}，已有{months}个月，多次反映未果，希望有关部门尽快核实处理。"


def reply_text(department: str, topic: str) -> str:
    """The department's result as published."""
    return f"经{department}核查，关于{topic}问题已安排专人处理并向网友说明情况。"


def citizen(rng: random.Random) -> dict[str, str]:
    """A fictitious citizen (personal data in real use)."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6
                                                        else "")
    phone = "1" + rng.choice("3589") + "".join(str(rng.randrange(10)) for _ in range(9))
    return {"name": name, "phone": phone}


def dept_operator(code: str, rng: random.Random) -> str:
    """A department liaison's login."""
    return f"{code.lower()}.{rng.choice(DEPT_STAFF)}"
