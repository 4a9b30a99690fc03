"""Assessment rules (考核规则): one versioned table per year, from `[scoring]` in wenzheng.toml."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEFAULT_VERSION = "默认-2"  # the built-in table used when wenzheng.toml has none for the year
FIRST_VERSION = "默认-1"  # the first built-in table (every item deducted, no caps), kept by name


class Weights(BaseModel):
    """Weights of the three rates (三率) in the 100-point base score; they need not sum to 1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    response: float = Field(0.3, ge=0)  # 响应率：按时认领
    resolution: float = Field(0.3, ge=0)  # 解决率：办结
    satisfaction: float = Field(0.4, ge=0)  # 满意率
    basic_satisfied: float = Field(0.8, ge=0, le=1)  # 基本满意计为满意的比例

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        """At least one rate must count."""
        if self.response + self.resolution + self.satisfaction <= 0:
            raise ValueError("三率权重之和必须大于 0")
        return self


class Deductions(BaseModel):
    """Points deducted per item (or per 1% of the unit's cases); caps per kind and in total.

    Field defaults are the first built-in table's (默认-1), so an office table written for it
    keeps its meaning; 默认-2 (DEFAULT_RULES) sets every field explicitly.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    overdue: float = Field(1.0, ge=0)  # 每件超期（在办超期或超期回复）
    exposure: float = Field(0.5, ge=0)  # 每条曝光台条目
    supervision: float = Field(0.5, ge=0)  # 每件被督办的案件
    accountability: float = Field(2.0, ge=0)  # 每件移送问责的案件
    cap: float = Field(0, ge=0)  # 扣分总上限（0 = 不设）
    per: Literal["item", "percent"] = "item"  # item：每件扣；percent：按占受理件数的百分比扣
    overdue_cap: float = Field(0, ge=0)  # 各项扣分上限（0 = 不设）
    exposure_cap: float = Field(0, ge=0)
    supervision_cap: float = Field(0, ge=0)
    accountability_cap: float = Field(0, ge=0)
    once_per_case: bool = False  # 同一案件只按最重的一项扣一次

    def each(self, kind: str) -> float:
        """Points per item (or per 1%) of a deduction kind."""
        return float(getattr(self, kind))

    def cap_of(self, kind: str) -> float:
        """A kind's own cap (0: none)."""
        return float(getattr(self, f"{kind}_cap"))


class Answers(BaseModel):
    """How the citizen's callback answers count: a default rating, and what 解决率 rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default_ratings: Literal["count", "exclude"] = "count"  # 默认评价：照常计入 / 不计入满意率
    resolution: Literal["closed", "citizen"] = "closed"  # 解决率：按办结 / 按群众答复“是否解决”


class Band(BaseModel):
    """A grade band: the grade for scores at or above `min`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=20)
    min: float


DEFAULT_BANDS = (Band(name="优秀", min=95), Band(name="良好", min=90), Band(name="合格", min=80),
                 Band(name="不合格", min=float("-inf")))


class Rules(BaseModel):
    """One year's rules table; `version` names it in every published result."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(FIRST_VERSION, min_length=1, max_length=50)
    year: int | None = None  # None: applies to any year without its own table
    weights: Weights = Weights()
    deductions: Deductions = Deductions()
    bands: tuple[Band, ...] = DEFAULT_BANDS
    answers: Answers = Answers()
    min_volume_month: int = Field(20, ge=0)  # 月度排名的最低件数
    min_volume_year: int = Field(60, ge=0)  # 年度排名的最低件数
    bulletin_days_after: int = Field(5, ge=0)  # 月末后第几天（自然日）截数并出通报

    def grade(self, score: float) -> str | None:
        """The band a score falls in (highest band first); None below every band."""
        for band in sorted(self.bands, key=lambda b: -b.min):
            if score >= band.min:
                return band.name
        return None


# 默认-2: calibrated on the demonstration city and the customer's figures (docs/scoring.md).
DEFAULT_RULES = Rules(
    version=DEFAULT_VERSION,
    deductions=Deductions(per="percent", overdue=0.5, overdue_cap=10, exposure=0.5,
                          exposure_cap=5, supervision=0.25, supervision_cap=3,
                          accountability=1.0, accountability_cap=5, once_per_case=True))
BUILT_IN = {FIRST_VERSION: Rules(version=FIRST_VERSION), DEFAULT_VERSION: DEFAULT_RULES}


class ScoringConfig(BaseModel):
    """`[scoring]`: a list of rules tables, `[[scoring.rules]]`, each with a version."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[Rules, ...] = ()

    @model_validator(mode="after")
    def _unique_versions(self) -> ScoringConfig:
        """Versions identify tables: no two alike."""
        versions = [r.version for r in self.rules]
        if len(set(versions)) != len(versions):
            raise ValueError("考核规则的 version 不能重复")
        return self

    def for_year(self, year: int, version: str | None = None) -> Rules:
        """The table in force for a year (the last listed for it), or the named version."""
        if version is not None:
            for r in self.rules:
                if r.version == version:
                    return r
            if version in BUILT_IN:
                return BUILT_IN[version]
            raise UnknownRules(version)
        own = [r for r in self.rules if r.year == year]
        if own:
            return own[-1]
        general = [r for r in self.rules if r.year is None]
        return general[-1] if general else DEFAULT_RULES


class UnknownRules(KeyError):
    """No rules table has this version."""

    def __str__(self) -> str:
        """A Chinese message."""
        return f"没有版本为 {self.args[0]} 的考核规则"


def load_scoring(section: dict[str, Any]) -> ScoringConfig:
    """Validate the `[scoring]` table; errors name the field in Chinese."""
    try:
        return ScoringConfig.model_validate(section)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise ValueError(f"[scoring] {where}：{err['msg']}") from None
