"""The demonstration city's departments (a fictional city, 示范市), in three peer groups."""

from __future__ import annotations

CITY = "示范市"
OFFICE_NAME = "示范市网络问政工作协调小组办公室"

DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("GAJ", "市公安局", "市直部门"),
    ("ZJJ", "市住房和城乡建设局", "市直部门"),
    ("RSJ", "市人力资源和社会保障局", "市直部门"),
    ("JYJ", "市教育局", "市直部门"),
    ("WJW", "市卫生健康委员会", "市直部门"),
    ("ZRJ", "市自然资源和规划局", "市直部门"),
    ("HBJ", "市生态环境局", "市直部门"),
    ("JTJ", "市交通运输局", "市直部门"),
    ("SJJ", "市市场监督管理局", "市直部门"),
    ("CGJ", "市城市管理和综合执法局", "市直部门"),
    ("MZJ", "市民政局", "市直部门"),
    ("NYJ", "市农业农村局", "市直部门"),
    ("SLJ", "市水利局", "市直部门"),
    ("YBJ", "市医疗保障局", "市直部门"),
    ("FGW", "市发展和改革委员会", "市直部门"),
    ("CZJ", "市财政局", "市直部门"),
    ("SWJ", "市税务局", "市直部门"),
    ("GDJ", "市供电公司", "市直部门"),
    ("ZLS", "市自来水公司", "市直部门"),
    ("TYJ", "市退役军人事务局", "市直部门"),
    ("QHQ", "清河区", "县市区"),
    ("MHQ", "明湖区", "县市区"),
    ("YSQ", "云山区", "县市区"),
    ("JKS", "江口市", "县市区"),
    ("BLX", "北岭县", "县市区"),
    ("NPX", "南坪县", "县市区"),
    ("SQX", "石桥县", "县市区"),
    ("LXX", "柳溪县", "县市区"),
    ("CDJD", "清河区城东街道", "乡镇街道"),
    ("CXJD", "清河区城西街道", "乡镇街道"),
    ("BJJD", "明湖区滨江街道", "乡镇街道"),
    ("XHJD", "明湖区新华街道", "乡镇街道"),
    ("LQZ", "云山区龙泉镇", "乡镇街道"),
    ("BSZ", "江口市白沙镇", "乡镇街道"),
    ("QTZ", "北岭县桥头镇", "乡镇街道"),
    ("JSZ", "南坪县金山镇", "乡镇街道"),
    ("HTX", "石桥县黄田乡", "乡镇街道"),
    ("SMX", "柳溪县石门乡", "乡镇街道"),
    ("FLZ", "柳溪县枫林镇", "乡镇街道"),
    ("WCZ", "云山区望城镇", "乡镇街道"),
)


def default_toml() -> str:
    """The wenzheng.toml a fresh home gets: the demonstration city with default rules."""
    lines = [
        "# wenzheng.toml: the demonstration city (示范市). Edit the departments for a real office.",
        "# Everything but [[departments]] is optional; the defaults are shown commented out.",
        f'city = "{CITY}"',
        f'office_name = "{OFFICE_NAME}"',
        "",
        "# Holiday arrangements the office enters itself, the day the State Council publishes",
        "# them (they win over the holidays library for that year). Until a year is entered,",
        "# deadlines in it are provisional (暂定): weekends and the fixed-date statutory",
        "# holidays; then run `wenzheng calendar revise`. See `wenzheng calendar show|check`.",
        "# [[calendar.arrangement]]",
        "# year = 2027",
        '# source = "国办发明电〔2026〕N号"',
        '# holidays = ["2027-01-01", "2027-02-06"]   # days off, including weekdays off',
        '# workdays = ["2027-02-14"]                 # weekend days worked (调休上班)',
        "",
        "# The demonstration city's own rule: general and important cases are claimed within one",
        "# working day (the built-in default sets no such limit: the customer's pages give none).",
        "[time_limits]",
        'version = "示范市-2026-12"    # names this table: stored with every deadline it sets',
        "claim_days = 1              # 一般、重要案件的认领时限（本市规定；内置默认不设）",
        "# general_days = 7          # 一般：7 个工作日内答复",
        "# important_days = 3        # 重要：3 个工作日",
        "# major_claim_days = 1      # 重大：“一三一”——1 日内认领",
        "# major_opinion_days = 3    #        3 日内提出办理意见",
        "# major_feedback_days = 1   #        1 日内反馈",
        '# major_claim_unit = "calendar"      # “一三一”按自然日计（"working"：工作日）',
        '# major_opinion_unit = "calendar"',
        '# major_feedback_unit = "calendar"',
        "# rework_days = 7           # 发回重办的时限（默认与原时限相同）",
        "# extension_max_days = 15   # 延期累计上限",
        "# supervision_response_days = 3",
        "",
    ]
    for code, name, group in DEPARTMENTS:
        lines += ["[[departments]]", f'code = "{code}"', f'name = "{name}"']
        lines += [f'group = "{group}"', ""]
    return "\n".join(lines)
