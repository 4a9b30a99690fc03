"""The one Chinese label table: statuses, actions and event types as users read them."""

from __future__ import annotations

STATUS_ZH = {
    "registered": "已登记", "assigned": "已交办", "claimed": "办理中", "disputed": "退回待改派",
    "reply_submitted": "待审定", "published": "已回复", "closed": "已办结", "archived": "已归档",
}
# Event types (what happened) and actions (what an operator asks for), by the same words.
ACTION_NAMES_ZH = {
    "Registered": "登记", "Assigned": "交办", "Claimed": "认领", "Disputed": "申请退回",
    "Extended": "延期", "OpinionGiven": "办理意见", "ReplySubmitted": "结果上报",
    "ReplyPublished": "公开回复", "Returned": "发回重办", "Supervised": "督办",
    "Rated": "满意度评价", "Closed": "办结", "Archived": "归档",
    "ReferredForAccountability": "问责", "PersonalDataErased": "个人信息删除",
    "DeadlinesRevised": "期限修订",
}
ACTION_EVENT = {
    "register": "Registered", "assign": "Assigned", "claim": "Claimed", "dispute": "Disputed",
    "extend": "Extended", "opinion": "OpinionGiven", "submit_reply": "ReplySubmitted",
    "publish_reply": "ReplyPublished", "return": "Returned", "supervise": "Supervised",
    "rate": "Rated", "close": "Closed", "archive": "Archived",
    "refer_accountability": "ReferredForAccountability", "erase": "PersonalDataErased",
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
    return OFFICE_ZH if code == "OFFICE" else code
