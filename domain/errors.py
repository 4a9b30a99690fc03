"""The domain's errors: each names the rule that was broken, in Chinese, with the case."""

from __future__ import annotations

from datetime import datetime

from domain.labels import action_zh, holder_zh, status_zh


class CaseError(Exception):
    """A rule of the case chain was broken; the action is rejected and nothing is recorded."""

    def __str__(self) -> str:
        return f"{type(self).__name__}: {super().__str__()}"


class UnknownCase(CaseError):
    """The case number has not been registered."""

    def __init__(self, number: str) -> None:
        super().__init__(f"案件 {number} 尚未登记")


class CaseNotYetRegistered(CaseError):
    """A case asked for as of a moment before its registration."""

    def __init__(self, number: str, moment: datetime) -> None:
        super().__init__(f"案件 {number} 在 {moment.isoformat()} 时尚未登记")


class CaseAlreadyRegistered(CaseError):
    """A second registration of the same case number."""

    def __init__(self, number: str) -> None:
        super().__init__(f"案件 {number} 已登记，不能重复登记")


class UnknownDepartment(CaseError):
    """A department code that wenzheng.toml does not list."""

    def __init__(self, code: str, field: str = "department") -> None:
        super().__init__(f"字段 {field}：单位代码 {code!r} 不在 wenzheng.toml 的 departments 中")


class IllegalTransition(CaseError):
    """The action is not legal in the case's current status."""

    def __init__(self, number: str, action: str, status: str, hint: str = "") -> None:
        extra = f"（{hint}）" if hint else ""
        super().__init__(f"案件 {number} 当前状态为“{status_zh(status)}”，"
                         f"不能执行“{action_zh(action)}”{extra}")


class CaseArchived(CaseError):
    """After archive only referral and erasure may happen to a case."""

    def __init__(self, number: str, action: str = "") -> None:
        what = f"“{action_zh(action)}”" if action else "此操作"
        super().__init__(f"案件 {number} 已归档，不能再执行{what}"
                         "（归档后只能移送问责、删除个人信息）")


class ActionBeforePreviousEvent(CaseError):
    """Business time may not go backwards within a case."""

    def __init__(self, number: str, at: datetime, last: datetime) -> None:
        super().__init__(
            f"案件 {number}：操作时间 {at.isoformat()} 早于上一事件时间 {last.isoformat()}"
        )


class ClaimBeforeAssign(CaseError):
    """A claim on a case nobody has been assigned."""

    def __init__(self, number: str) -> None:
        super().__init__(f"案件 {number} 尚未交办（或已退回待改派），不能认领")


class NotAssignedYet(CaseError):
    """An action that needs a responsible department before any assignment."""

    def __init__(self, number: str, action: str) -> None:
        super().__init__(f"案件 {number} 尚未交办，不能执行“{action_zh(action)}”")


class DepartmentNotHolder(CaseError):
    """A department acting on a case it does not hold."""

    def __init__(self, number: str, department: str, holder: str) -> None:
        super().__init__(f"案件 {number} 当前由 {holder_zh(holder)} 持有，{department} 无权操作")


class CoDepartmentIsLead(CaseError):
    """The lead department listed again as a co-handling department."""

    def __init__(self, number: str, department: str) -> None:
        super().__init__(f"案件 {number}：主办单位 {department} 不能同时为协办单位")


class ExtensionTooLong(CaseError):
    """Extensions beyond the configured maximum of working days."""

    def __init__(self, number: str, used: int, asked: int, maximum: int) -> None:
        super().__init__(
            f"案件 {number}：已延期 {used} 个工作日，再延 {asked} 个将超过上限 {maximum} 个工作日"
        )


class ExtensionAfterDeadline(CaseError):
    """An extension asked for after the reply deadline: lateness already incurred stays."""

    def __init__(self, number: str, due: str) -> None:
        super().__init__(
            f"案件 {number}：答复期限 {due} 已过，不能再申请延期"
            "（逾期已成事实，延期须在期限内申请）"
        )


class OpinionRequired(CaseError):
    """A major case needs its handling opinion before the result (1-3-1)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"重大案件 {number} 须先提出办理意见（“一三一”程序），才能上报办理结果")


class PublishBeforeReply(CaseError):
    """Publishing when no result awaits approval."""

    def __init__(self, number: str, status: str) -> None:
        super().__init__(f"案件 {number} 当前状态为“{status_zh(status)}”，"
                         "没有待审定的办理结果，不能发布回复")


class RateBeforeReply(CaseError):
    """A rating before any reply was published."""

    def __init__(self, number: str, status: str) -> None:
        super().__init__(f"案件 {number} 当前状态为“{status_zh(status)}”，尚未公开回复，不能评价")


class AlreadyRated(CaseError):
    """A second rating of the same published reply (a citizen's may replace a default once)."""

    def __init__(self, number: str, rating: str) -> None:
        super().__init__(f"案件 {number} 的本次回复已评价（{rating}）")


class InvalidDefaultRating(CaseError):
    """A default rating other than the one the rules set, or one claiming the citizen's word."""

    def __init__(self, number: str, rating: str, allowed: str, resolved: bool = False) -> None:
        if resolved:
            super().__init__(f"案件 {number}：默认评价不能带“是否解决”（resolved），"
                             "是否解决只能由群众本人回答")
        else:
            super().__init__(f"案件 {number}：默认评价只能是“{allowed}”（按规定逾期未评价视为"
                             f"{allowed}），不能是“{rating}”；群众本人的评价请去掉 default")


class InvalidRating(CaseError):
    """A rating other than 满意 / 基本满意 / 不满意."""

    def __init__(self, number: str, rating: str) -> None:
        super().__init__(f"案件 {number}：评价 {rating!r} 无效，只能是“满意”“基本满意”或“不满意”")


class CloseBeforeReply(CaseError):
    """Closing a case whose reply has not been published."""

    def __init__(self, number: str, status: str) -> None:
        super().__init__(f"案件 {number} 当前状态为“{status_zh(status)}”，回复未公开，不能办结")


class DeadlineNotComputable(CaseError):
    """The calendar cannot produce the deadline this action needs."""

    def __init__(self, number: str, reason: str) -> None:
        super().__init__(f"案件 {number}：{reason}")


class ConcurrentUpdate(CaseError):
    """Optimistic concurrency kept failing after the bounded retries."""

    def __init__(self, number: str, tries: int) -> None:
        super().__init__(f"案件 {number}：并发写入冲突，重试 {tries} 次仍未成功，请稍后重试")
