"""One ledger row → the actions it implies (pure; problems reject the row with a reason)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from domain.actions import InvalidAction, parse_action
from domain.labels import LEDGER_STEP_ZH
from domain.vocabulary import RATINGS, Rating
from scorecards.inert import FORMULA_START
from wenzheng.ledger.mapping import REQUIRED, LedgerMapping

BEIJING = timezone(timedelta(hours=8))  # times without an offset are Beijing time
CATEGORIES = ("投诉", "反映", "咨询", "建议", "求助", "其他")
DEFAULT_CHANNEL = "系统默认"
LABELS = {
    "registered_at": "登记时间", "assigned_at": "交办时间", "claimed_at": "认领时间",
    "opinion_at": "办理意见时间", "submitted_at": "上报时间", "replied_at": "回复时间",
    "rated_at": "评价时间", "closed_at": "办结时间",
}
# Times must not go backwards along this chain; 评价时间 need only follow 回复时间.
CHAIN = ("registered_at", "assigned_at", "claimed_at", "opinion_at", "submitted_at",
         "replied_at", "closed_at")
_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
    r"(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})(?:\.(\d{1,6}))?)?秒?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)


class RowProblem(ValueError):
    """Why a ledger row cannot be imported."""


def parse_time(value: Any) -> datetime | None:
    """A cell as an aware datetime; naive values are Beijing time (+08:00); empty → None."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=BEIJING)
    if isinstance(value, date):
        return datetime.combine(value, time(0), BEIJING)
    match = _TIME.match(str(value).strip())
    if not match:
        raise ValueError(f"无法识别的时间 {value!r}")
    y, mo, d, h, mi, s, frac, offset = match.groups()
    tz = BEIJING
    if offset == "Z":
        tz = UTC
    elif offset:
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    micro = int((frac or "0").ljust(6, "0"))
    return datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), micro, tz)


def cell_text(value: Any) -> str:
    """A cell as stripped text; whole floats lose their '.0' (Excel numbers as case numbers).

    The quote that an export put before text starting like a formula is taken off again.
    """
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


class RowConverter:
    """Turns rows into action groups for one mapping and one city's departments."""

    def __init__(self, mapping: LedgerMapping, resolve_department: Callable[[str], str | None]):
        self.mapping, self.resolve = mapping, resolve_department

    def fields(self, row: dict[str, Any]) -> dict[str, Any]:
        """Our field names → the row's cell values."""
        return {f: row.get(h) for f, h in self.mapping.columns.items()}

    def actions(self, row: dict[str, Any]) -> list[dict[str, Any]]:
        """The row's actions in order; raises RowProblem naming the first problem."""
        v = self.fields(row)
        text = {k: cell_text(x) for k, x in v.items()}
        for name in REQUIRED:
            if not text[name]:
                raise RowProblem(f"缺少{self.mapping.header_of(name)}")
        times = self._times(v)
        number, by = text["number"], self.mapping.operator
        out: list[dict[str, Any]] = []

        def add(step: str, action: str, at: datetime | None, **extra: Any) -> None:
            assert at is not None
            out.append({"id": f"ledger:{number}:{step}", "action": action, "case": number,
                        "at": at.isoformat(), "by": by, **extra})

        add("register", "register", times["registered_at"], **self._register(text))
        dept = self._department(text, times)
        if dept is not None:
            add("assign", "assign", times["assigned_at"], department=dept)
        self._needs(times, "claimed_at", "assigned_at")
        if times.get("claimed_at"):
            add("claim", "claim", times["claimed_at"], department=dept)
        if times.get("opinion_at"):
            self._needs(times, "opinion_at", "claimed_at")
            add("opinion", "opinion", times["opinion_at"], department=dept,
                text=text["opinion_text"] or "（台账未载明办理意见）")
        submitted = times.get("submitted_at") or times.get("replied_at")
        reply = text["reply_text"] or "（台账未载明回复内容）"
        if submitted:
            self._needs(times, "submitted_at" if times.get("submitted_at") else "replied_at",
                        "claimed_at")
            add("submit", "submit_reply", submitted, department=dept, text=reply)
        if times.get("replied_at"):
            add("publish", "publish_reply", times["replied_at"], text=reply)
        closed = times.get("closed_at")
        if closed:
            self._needs(times, "closed_at", "replied_at")
        rated = times.get("rated_at") or times.get("replied_at")
        if closed and rated and closed < rated:  # a rating may come after the case was closed
            add("close", "close", closed)
            self._rating(text, times, add)
        else:
            self._rating(text, times, add)
            if closed:
                add("close", "close", closed)
        for action in out:
            try:
                parse_action(action)
            except InvalidAction as exc:
                step = LEDGER_STEP_ZH.get(action["action"], action["action"])
                raise RowProblem(f"{step}：{exc}") from None
        return out

    def _times(self, v: dict[str, Any]) -> dict[str, datetime | None]:
        """Parse every time column and check they do not go backwards."""
        times: dict[str, datetime | None] = {}
        for name in LABELS:
            try:
                times[name] = parse_time(v.get(name))
            except ValueError as exc:
                raise RowProblem(f"{self.mapping.header_of(name)}：{exc}") from None
        previous: tuple[str, datetime] | None = None
        for name in CHAIN:
            moment = times[name]
            if moment is None:
                continue
            if previous is not None and moment < previous[1]:
                raise RowProblem(f"时间倒序：{self.mapping.header_of(name)} {moment.isoformat()} "
                                 f"早于{self.mapping.header_of(previous[0])} "
                                 f"{previous[1].isoformat()}")
            previous = (name, moment)
        rated, replied = times["rated_at"], times["replied_at"]
        if rated is not None and replied is not None and rated < replied:
            raise RowProblem(f"时间倒序：{self.mapping.header_of('rated_at')} {rated.isoformat()} "
                             f"早于{self.mapping.header_of('replied_at')} {replied.isoformat()}")
        return times

    def _needs(self, times: dict[str, datetime | None], have: str, need: str) -> None:
        """A later step requires an earlier one (e.g. a reply needs a claim)."""
        if times.get(have) and not times.get(need):
            raise RowProblem(f"环节不完整：有{self.mapping.header_of(have)}但缺少"
                             f"{self.mapping.header_of(need)}")

    def _register(self, text: dict[str, str]) -> dict[str, Any]:
        """The register action's fields."""
        d = self.mapping.defaults
        category = text["category"] or (d.category or "")
        if category not in CATEGORIES:
            shown = category or "（空）"
            raise RowProblem(f"{self.mapping.header_of('category')} {shown} 无效，"
                             f"应为 {'、'.join(CATEGORIES)}")
        content = text["content"]
        title = text["title"] or (content[:30] if content else "（无标题）")
        citizen = {k: v for k, v in (("name", text["citizen_name"]),
                                     ("phone", text["citizen_phone"])) if v}
        return {"source": text["source"] or d.source, "title": title, "content": content,
                "category": category, "priority": text["priority"] or d.priority,
                "region": text["region"], "citizen": citizen}

    def _department(self, text: dict[str, str], times: dict[str, datetime | None]) -> str | None:
        """The lead department's code (matched by code or name), if assigned."""
        given = text["department"]
        if not given:
            if times.get("assigned_at"):
                raise RowProblem(f"有{self.mapping.header_of('assigned_at')}但缺少"
                                 f"{self.mapping.header_of('department')}")
            return None
        code = self.resolve(given)
        if code is None:
            raise RowProblem(f"{self.mapping.header_of('department')} {given!r} 不在 "
                             "wenzheng.toml 的单位中（按代码或名称匹配）")
        if not times.get("assigned_at"):
            raise RowProblem(f"有{self.mapping.header_of('department')}但缺少"
                             f"{self.mapping.header_of('assigned_at')}")
        return code

    def _rating(self, text: dict[str, str], times: dict[str, datetime | None],
                add: Callable[..., None]) -> None:
        """满意度: a citizen's rating, or a default (e.g. 默认满意) recorded as such."""
        word = text["rating"]
        if not word:
            return
        if not times.get("replied_at"):
            raise RowProblem(f"有{self.mapping.header_of('rating')}但缺少"
                             f"{self.mapping.header_of('replied_at')}")
        at = times.get("rated_at") or times["replied_at"]
        assert at is not None
        if word in self.mapping.default_rating_words:
            if text["resolved"]:
                raise RowProblem(f"{self.mapping.header_of('rating')}为默认评价时不能填写"
                                 f"{self.mapping.header_of('resolved')}（只有群众本人才能回答）")
            add("rate", "rate", at, rating=Rating.SATISFIED.value, channel=DEFAULT_CHANNEL,
                default=True)
            return
        if word not in RATINGS:
            raise RowProblem(f"{self.mapping.header_of('rating')} {word!r} 无效，应为 "
                             f"{'、'.join(RATINGS)}、{'、'.join(self.mapping.default_rating_words)}"
                             "或留空")
        resolved = self._resolved(text["resolved"])
        add("rate", "rate", at, rating=word,
            channel=text["rating_channel"] or self.mapping.defaults.rating_channel,
            **({} if resolved is None else {"resolved": resolved}))

    def _resolved(self, word: str) -> bool | None:
        """是否解决: the citizen's answer, or None when the cell is empty."""
        if not word:
            return None
        if word not in RESOLVED:
            raise RowProblem(f"{self.mapping.header_of('resolved')} {word!r} 无效，应为 "
                             f"{'、'.join(RESOLVED)}或留空")
        return RESOLVED[word]


RESOLVED = {"是": True, "已解决": True, "否": False, "未解决": False}
