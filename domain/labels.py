"""The one Chinese label table: every word users read for a vocabulary value (domain/vocabulary.py).

Where two tables name the same keys they mean different things, and each says which.
"""

from __future__ import annotations

from domain.vocabulary import (
    ACTION_EVENT,
    OFFICE,
    Action,
    EventType,
    ExposureRule,
    Stage,
    Status,
)

# A case's status by name (case text, the audit page, error messages).
STATUS_ZH: dict[str, str] = {
    Status.REGISTERED: "已登记", Status.ASSIGNED: "已交办", Status.CLAIMED: "办理中",
    Status.DISPUTED: "退回待改派", Status.REPLY_SUBMITTED: "待审定", Status.PUBLISHED: "已回复",
    Status.CLOSED: "已办结", Status.ARCHIVED: "已归档",
}
# Where a case stands, as the exposure list's 办理 column says it when no reply is published
# (a registered case never appears there).
STANDING_ZH: dict[str, str] = {
    Status.ASSIGNED: "已交办未认领", Status.CLAIMED: "办理中", Status.DISPUTED: "退回待改派",
    Status.REPLY_SUBMITTED: "结果待审定", Status.PUBLISHED: "已公开回复", Status.CLOSED: "已办结",
    Status.ARCHIVED: "已归档",
}
# An overdue stage's own name, as an exposure reason says it ("认领已超期 …").
STAGE_ZH: dict[str, str] = {
    Stage.CLAIM: "认领", Stage.OPINION: "办理意见", Stage.REPLY: "答复",
    Stage.APPROVAL: "审定发布", Stage.REASSIGNMENT: "改派",
}
# A case overdue in a stage, as a label (bulletins, case text, the audit page).
OVERDUE_STAGE_ZH: dict[str, str] = {
    Stage.CLAIM: "认领超期", Stage.OPINION: "办理意见超期", Stage.REPLY: "答复超期",
    Stage.APPROVAL: "审定发布超期", Stage.REASSIGNMENT: "待改派超期",
}
# Event types (what happened) and actions (what an operator asks for), by the same words.
ACTION_NAMES_ZH: dict[str, str] = {
    EventType.REGISTERED: "登记", EventType.ASSIGNED: "交办", EventType.CLAIMED: "认领",
    EventType.DISPUTED: "申请退回", EventType.EXTENDED: "延期",
    EventType.OPINION_GIVEN: "办理意见", EventType.REPLY_SUBMITTED: "结果上报",
    EventType.REPLY_PUBLISHED: "公开回复", EventType.RETURNED: "发回重办",
    EventType.SUPERVISED: "督办", EventType.RATED: "满意度评价", EventType.CLOSED: "办结",
    EventType.ARCHIVED: "归档", EventType.REFERRED_FOR_ACCOUNTABILITY: "问责",
    EventType.PERSONAL_DATA_ERASED: "个人信息删除", EventType.DEADLINES_REVISED: "期限修订",
}
# Each exposure rule's Chinese name: what a reader sees wherever an entry's rule is shown.
RULE_ZH: dict[str, str] = {
    ExposureRule.OVERDUE: "超期", ExposureRule.RETURNED: "多次发回重办",
    ExposureRule.DISSATISFIED_AFTER_REWORK: "重办后仍不满意",
    ExposureRule.SUPERVISION_UNANSWERED: "督办未回应", ExposureRule.PASSED_ON: "推诿",
}
# A ledger row's steps, in the short words its rejection reasons use ("上报被拒绝：…").
LEDGER_STEP_ZH: dict[str, str] = {
    Action.REGISTER: "登记", Action.ASSIGN: "交办", Action.CLAIM: "认领",
    Action.OPINION: "办理意见", Action.SUBMIT_REPLY: "上报", Action.PUBLISH_REPLY: "回复",
    Action.RATE: "评价", Action.CLOSE: "办结",
}
OFFICE_ZH = "协调办公室"


def status_zh(status: str) -> str:
    """A status in Chinese (an unknown one as given)."""
    return STATUS_ZH.get(status, status)


def action_zh(action: str) -> str:
    """An action name (`archive`) or event type (`Archived`) in Chinese."""
    return ACTION_NAMES_ZH.get(ACTION_EVENT.get(action, action), action)


def holder_zh(code: str) -> str:
    """A holder code; the coordination office by its Chinese name."""
    return OFFICE_ZH if code == OFFICE else code
