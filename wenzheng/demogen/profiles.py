"""Department behaviour profiles: how each unit of the demonstration city handles its cases."""

from __future__ import annotations

import random
from dataclasses import dataclass

from wenzheng.democity import DEPARTMENTS

DEMO_CODES = frozenset(code for code, _, _ in DEPARTMENTS)


@dataclass(frozen=True)
class Profile:
    """How a department behaves; probabilities are per case."""

    kind: str
    label: str
    claim_days: tuple[float, float, float] = (0.6, 0.35, 0.05)  # claimed after 0 / 1 / 2 days
    reply_share: tuple[float, float] = (0.3, 1.0)  # on-time reply: share of the time limit
    late: float = 0.05  # reply after the deadline
    late_days: tuple[int, int] = (1, 3)  # working days late when late
    stuck: float = 0.025  # never replied before the demonstration's "now"
    dispute: float = 0.02  # "not ours": back to the office for reassignment
    rework: float = 0.04  # the office sends the result back before publishing
    extend: float = 0.02  # the office approves an extension
    heeds_supervision: bool = True  # answers a supervision notice in time
    ratings: tuple[float, float, float] = (0.78, 0.17, 0.05)  # 满意 / 基本满意 / 不满意
    explicit: float = 0.55  # the citizen rates (else the default rating is recorded)


PROFILES: dict[str, Profile] = {
    "fast": Profile(
        "fast", "快速优质", claim_days=(0.9, 0.1, 0.0), reply_share=(0.15, 0.6), late=0.01,
        stuck=0.002, dispute=0.01, rework=0.01, extend=0.005, ratings=(0.9, 0.08, 0.02),
    ),
    "normal": Profile("normal", "正常"),
    "slow": Profile(
        "slow", "拖延", claim_days=(0.3, 0.4, 0.3), reply_share=(0.6, 1.0), late=0.35,
        late_days=(1, 6), stuck=0.06, extend=0.08, ratings=(0.65, 0.23, 0.12),
    ),
    "disputes": Profile(
        "disputes", "推诿扯皮", dispute=0.22, late=0.1, stuck=0.04, ratings=(0.68, 0.2, 0.12),
    ),
    "rework": Profile(
        "rework", "反复返工", rework=0.2, late=0.1, stuck=0.04, ratings=(0.6, 0.22, 0.18),
    ),
    "ignores": Profile(
        "ignores", "无视督办", claim_days=(0.3, 0.4, 0.3), reply_share=(0.5, 1.0), late=0.45,
        late_days=(3, 15), stuck=0.18, heeds_supervision=False, rework=0.08,
        ratings=(0.55, 0.25, 0.2),
    ),
}

# The demonstration city's units with a distinct behaviour; every other unit is "normal".
KIND_OF: dict[str, str] = {
    "GAJ": "fast", "SWJ": "fast", "GDJ": "fast", "ZLS": "fast", "MHQ": "fast",
    "CDJD": "fast", "LQZ": "fast",
    "ZJJ": "slow", "YBJ": "slow", "BLX": "slow", "HTX": "slow",
    "ZRJ": "disputes", "SLJ": "disputes", "NYJ": "disputes", "WCZ": "disputes",
    "CGJ": "rework", "NPX": "rework", "QTZ": "rework",
    "SQX": "ignores", "SMX": "ignores",
}

# Relative case volume; units not listed get their group's default.
VOLUME: dict[str, float] = {
    "ZJJ": 3.0, "CGJ": 3.0, "RSJ": 2.5, "GAJ": 2.5, "JYJ": 2.0, "WJW": 1.5, "ZRJ": 1.5,
    "HBJ": 1.5, "JTJ": 1.5, "SJJ": 1.5,
}
GROUP_VOLUME: dict[str, float] = {"市直部门": 1.0, "县市区": 2.0, "乡镇街道": 0.3}


def profile_for(code: str, seed: int) -> Profile:
    """The unit's profile: from KIND_OF, else drawn (seeded) for units of another city."""
    kind = KIND_OF.get(code, "normal" if code in DEMO_CODES else None)
    if kind is None:
        draw = random.Random(f"profile:{seed}:{code}").random()
        kind = "normal" if draw < 0.7 else ("fast", "slow", "disputes", "rework", "ignores")[
            int((draw - 0.7) / 0.06)
        ]
    return PROFILES[kind]


def volume_for(code: str, group: str) -> float:
    """The unit's relative share of cases."""
    return VOLUME.get(code, GROUP_VOLUME.get(group, 1.0))
