"""The action format (one JSON object a line), validated with pydantic."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from domain.vocabulary import Action as ActionName

MAX_TEXT = 20_000
EARLIEST = datetime(2000, 1, 1).year
LATEST = datetime(2100, 1, 1).year


# C0 (but tab, line feed, carriage return), DEL, C1, and the bidirectional overrides that make
# text read differently from what is stored.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _no_control_chars(value: str) -> str:
    """Reject control characters other than tab and newline."""
    bad = _CONTROL.search(value)
    if bad:
        raise ValueError(f"含有控制字符 {bad.group()!r}")
    return value


def _plausible_time(value: datetime) -> datetime:
    """Business times must lie between 2000 and 2100."""
    if not EARLIEST <= value.year < LATEST:
        raise ValueError(f"时间 {value.isoformat()} 不在 {EARLIEST}–{LATEST - 1} 年之间")
    return value


def _priority_alias(value: Any) -> Any:
    """Accept the long form 重大敏感 for 重大."""
    return "重大" if value == "重大敏感" else value


Text = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(_no_control_chars)]
Short = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_no_control_chars)]
Code = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")]
CaseNumber = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-/#:]+$")
]
_NUMERIC = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_text(value: Any) -> Any:
    """Times come as ISO 8601 text (or datetimes from code), never as numbers or numeric text."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and _NUMERIC.fullmatch(value)):
        raise ValueError("应为带时区偏移的 ISO 8601 时间字符串，不能是数字")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text), AfterValidator(_plausible_time)]


class ActionBase(BaseModel):
    """Fields every action has."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Short | None = None
    case: CaseNumber
    at: Moment
    by: Short
    note: Text | None = None
    HASHED_ONLY_WHEN_GIVEN: ClassVar[tuple[str, ...]] = ()

    def action_id(self) -> str:
        """The given id, or a content hash so that re-applying a line is a duplicate."""
        if self.id:
            return self.id
        data = self.model_dump(mode="json")
        for name in self.HASHED_ONLY_WHEN_GIVEN:  # fields added later: old lines keep their id
            if data.get(name) is None:
                data.pop(name, None)
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        return "h:" + hashlib.sha256(canonical.encode()).hexdigest()[:32]


class Citizen(BaseModel):
    """The citizen's contact data (personal data)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(max_length=100), AfterValidator(_no_control_chars)] | None = None
    phone: Annotated[str, Field(max_length=40, pattern=r"^[0-9+\-() ]*$")] | None = None


class Register(ActionBase):
    """登记."""

    action: Literal["register"]
    source: Short
    title: Short
    content: Text
    category: Literal["投诉", "反映", "咨询", "建议", "求助", "其他"]
    priority: Annotated[Literal["一般", "重要", "重大"], BeforeValidator(_priority_alias)] = "一般"
    region: Annotated[str, Field(max_length=200), AfterValidator(_no_control_chars)] = ""
    citizen: Citizen = Citizen()


class Assign(ActionBase):
    """交办 / 转办."""

    action: Literal["assign"]
    department: Code
    co_departments: list[Code] = Field(default_factory=list, max_length=20)


class Claim(ActionBase):
    """认领."""

    action: Literal["claim"]
    department: Code | None = None


class Dispute(ActionBase):
    """申请退回 / 改派."""

    action: Literal["dispute"]
    reason: Short
    department: Code | None = None


class Extend(ActionBase):
    """延期."""

    action: Literal["extend"]
    working_days: int = Field(ge=1, le=60, strict=True)  # a number, not "5"
    reason: Short


class Opinion(ActionBase):
    """提出办理意见."""

    action: Literal["opinion"]
    text: Text
    department: Code | None = None


class SubmitReply(ActionBase):
    """办理结果上报."""

    action: Literal["submit_reply"]
    text: Text
    department: Code | None = None


class PublishReply(ActionBase):
    """审定后网上回复."""

    action: Literal["publish_reply"]
    text: Text


class Return(ActionBase):
    """发回重新办理."""

    action: Literal["return"]
    reason: Short


class Supervise(ActionBase):
    """督办 / 挂牌督办."""

    action: Literal["supervise"]
    level: Short = "督办"
    note: Text | None = None


class Rate(ActionBase):
    """满意度评价; `default` marks 'no rating within N days counts as satisfied'.

    `resolved` is the citizen's other answer at the callback, 是否解决 (absent: not asked).
    """

    action: Literal["rate"]
    rating: Literal["满意", "基本满意", "不满意"]
    channel: Short = "网民评议"
    default: bool = False
    resolved: bool | None = None
    HASHED_ONLY_WHEN_GIVEN: ClassVar[tuple[str, ...]] = ("resolved",)


class Close(ActionBase):
    """办结."""

    action: Literal["close"]


class Archive(ActionBase):
    """归档."""

    action: Literal["archive"]


class ReferAccountability(ActionBase):
    """问责."""

    action: Literal["refer_accountability"]
    department: Code
    reason: Short


Action = Annotated[
    Register | Assign | Claim | Dispute | Extend | Opinion | SubmitReply | PublishReply
    | Return | Supervise | Rate | Close | Archive | ReferAccountability,
    Field(discriminator="action"),
]
ACTION_NAMES = tuple(a.value for a in ActionName if a is not ActionName.ERASE)  # erase: a command
_adapter: TypeAdapter[Action] = TypeAdapter(Action)


class InvalidAction(ValueError):
    """An action line that does not fit the format; the message names each bad field."""


def parse_action(data: str | bytes | dict[str, Any]) -> Action:
    """Validate one action (JSON text or a dict); raise InvalidAction with a clear reason."""
    try:
        if isinstance(data, (str, bytes)):
            action = _adapter.validate_json(data)
            json.loads(data, object_pairs_hook=_no_duplicate_keys)
            return action
        return _adapter.validate_python(data)
    except ValidationError as exc:
        raise InvalidAction(describe(exc)) from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are unique (a repeated key would silently win)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise InvalidAction(f"字段 {key}: 同一行中重复出现")
        seen.add(key)
    return dict(pairs)


def check_not_after(action: Action | ActionBase, limit: datetime) -> None:
    """Refuse an action dated after `limit` (the clock plus the tolerance, read by the caller)."""
    if action.at > limit:
        raise InvalidAction(f"字段 at: 时间 {action.at.isoformat()} 晚于当前时间（允许的最晚时间 "
                            f"{limit.isoformat(timespec='seconds')}），不予接受")


_MESSAGES = {
    "missing": "缺少此字段",
    "extra_forbidden": "不认识的字段",
    "timezone_aware": "时间必须带时区偏移，如 2025-09-30T10:00:00+08:00",
    "string_too_long": "文字过长（最多 {max_length} 个字符）",
    "string_too_short": "不能为空",
    "too_long": "项目过多（最多 {max_length} 项）",
    "string_pattern_mismatch": "格式不符（允许的字符：{pattern}）",
    "greater_than_equal": "应不小于 {ge}",
    "less_than_equal": "应不大于 {le}",
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "datetime_type": "应为 ISO 8601 时间",
    "datetime_parsing": "不是合法的 ISO 8601 时间（{error}）",
    "datetime_from_date_parsing": "不是合法的 ISO 8601 时间（{error}）",
    "finite_number": "应为有限的数",
    "int_parsing_size": "数字过大",
    "string_unicode": "不是合法的 Unicode 文本",
}


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")  # the values in pydantic's "'a', 'b' or 'c'"

def _json_problem(error: str) -> str:
    """The JSON parser's complaint in Chinese, with the column where it stopped."""
    found = re.search(r"column (\d+)", error)
    where = f"（第 {found.group(1)} 个字符附近）" if found else ""
    if "surrogate" in error:
        return f"含有不成对的 Unicode 代理字符（如 \\udc80），不是合法的文本{where}"
    if "recursion limit" in error:
        return f"JSON 嵌套层数过多{where}"
    if "EOF" in error:
        return f"不是合法的 JSON：行在对象结束前就结束了{where}"
    return f"不是合法的 JSON{where}"


def describe(exc: ValidationError) -> str:
    """Pydantic's errors as '字段 x: message' (in Chinese) joined by '；'."""
    parts = []
    for err in exc.errors(include_url=False):
        loc = list(err["loc"])
        if loc and loc[0] in ACTION_NAMES:
            loc = loc[1:]
        where = ".".join(str(p) for p in loc) or "(整行)"
        ctx = err.get("ctx", {})
        kind = err["type"]
        if kind == "union_tag_invalid":
            where = "action"
            msg = f"未知的 action {ctx.get('tag')!r}，应为 {' | '.join(ACTION_NAMES)}"
        elif kind == "union_tag_not_found":
            where, msg = "action", "缺少字段 action"
        elif kind == "json_invalid":
            msg = _json_problem(str(ctx.get("error", "")))
        elif kind == "literal_error":
            allowed = "、".join(f"“{v}”" for v in _QUOTED.findall(str(ctx.get("expected", ""))))
            msg = f"取值 {err.get('input')!r} 无效，应为 {allowed} 之一"
        elif kind == "value_error":
            msg = str(ctx.get("error", err["msg"]))
        elif kind in _MESSAGES:
            keys = ("max_length", "pattern", "ge", "le", "error")
            msg = _MESSAGES[kind].format(**{k: ctx.get(k, "") for k in keys})
        else:
            msg = err["msg"]
        parts.append(f"字段 {where}: {msg}")
    return "；".join(parts)
