"""Which ledger column holds which field: defaults are the usual Chinese headers."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Field_ = Literal[
    "number", "source", "title", "content", "category", "priority", "region", "citizen_name",
    "citizen_phone", "registered_at", "assigned_at", "department", "claimed_at", "opinion_at",
    "opinion_text", "submitted_at", "replied_at", "reply_text", "rating", "rated_at",
    "rating_channel", "closed_at", "resolved",
]
DEFAULT_COLUMNS: dict[str, str] = {
    "number": "编号", "source": "来源", "title": "标题", "content": "内容", "category": "类别",
    "priority": "优先级", "region": "所属区域", "citizen_name": "姓名",
    "citizen_phone": "联系电话", "registered_at": "登记时间", "assigned_at": "交办时间",
    "department": "承办单位", "claimed_at": "认领时间", "opinion_at": "办理意见时间",
    "opinion_text": "办理意见", "submitted_at": "上报时间", "replied_at": "回复时间",
    "reply_text": "回复内容", "rating": "满意度", "rated_at": "评价时间",
    "rating_channel": "评价方式", "closed_at": "办结时间", "resolved": "是否解决",
}
REQUIRED = ("number", "registered_at")


class Defaults(BaseModel):
    """Values used when a ledger has no such column or the cell is empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field("台账导入", min_length=1, max_length=200)
    category: str | None = None
    priority: str = "一般"
    rating_channel: str = Field("台账", min_length=1, max_length=200)


class LedgerMapping(BaseModel):
    """The mapping file (TOML): column headers, sheet, operator name and defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    columns: dict[Field_, str] = Field(default_factory=dict, validate_default=True)
    sheet: str | None = None
    operator: str = Field("台账导入", min_length=1, max_length=200)
    default_rating_words: list[str] = Field(default_factory=lambda: ["默认满意", "默认"])
    defaults: Defaults = Defaults()

    @field_validator("columns")
    @classmethod
    def _with_defaults(cls, value: dict[str, str]) -> dict[str, str]:
        """Columns not named in the file keep their default header."""
        return {**DEFAULT_COLUMNS, **{k: v.strip() for k, v in value.items()}}

    def header_of(self, field: str) -> str:
        """The ledger header for one of our fields."""
        return self.columns.get(field, DEFAULT_COLUMNS[field])  # type: ignore[call-overload]


class MappingError(ValueError):
    """The mapping file is unreadable or names an unknown field."""


def default_mapping() -> LedgerMapping:
    """The mapping with the default Chinese headers."""
    return LedgerMapping()


def load_mapping(path: Path | None) -> LedgerMapping:
    """Read a mapping TOML file (None: the defaults)."""
    if path is None:
        return default_mapping()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return LedgerMapping.model_validate(data)
    except FileNotFoundError:
        raise MappingError(f"找不到映射文件 {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{path}: TOML 格式错误：{exc}") from None
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise MappingError(f"{path}: {problems}") from None
