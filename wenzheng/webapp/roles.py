"""Roles and which pages each may open (pure; the router and every page read this)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PUBLIC, LEADER, SUPERVISOR, ADMIN = "public", "leader", "supervisor", "admin"
ROLES = (PUBLIC, LEADER, SUPERVISOR, ADMIN)
SIGNED_IN_ROLES = (LEADER, SUPERVISOR, ADMIN)
ROLE_ZH = {PUBLIC: "公众", LEADER: "领导", SUPERVISOR: "纪检监察", ADMIN: "管理员"}
PAGES_DIR = "app_pages"  # the page scripts' folder, beside the app's main script (app.py)


@dataclass(frozen=True)
class PageSpec:
    """One page: its key (and url path), script, Chinese title, icon and the roles allowed."""

    key: str
    script: str  # the file name in PAGES_DIR
    title: str
    icon: str
    roles: frozenset[str]

    @property
    def file(self) -> str:
        """The page script relative to the app's directory (as AppTest.switch_page names it)."""
        return f"{PAGES_DIR}/{self.script}"

    def path(self, app_dir: Path) -> Path:
        """The page script beside the app whose directory is `app_dir`."""
        return app_dir / PAGES_DIR / self.script


PAGES: tuple[PageSpec, ...] = (
    PageSpec("exposure", "exposure.py", "曝光台", ":material/campaign:",
             frozenset(ROLES)),
    PageSpec("scorecards", "department_scores.py", "部门考核", ":material/leaderboard:",
             frozenset({LEADER, ADMIN})),
    PageSpec("audit", "audit.py", "案件审计", ":material/policy:",
             frozenset({SUPERVISOR, ADMIN})),
    PageSpec("bulletins", "bulletins.py", "月度通报", ":material/description:",
             frozenset({LEADER, SUPERVISOR, ADMIN})),
    PageSpec("status", "status.py", "系统状态", ":material/monitor_heart:",
             frozenset({ADMIN})),
    PageSpec("login", "login.py", "登录", ":material/login:", frozenset({PUBLIC})),
)
HOME_PAGE = "exposure"  # every role's default page, at "/"
DEFAULT_PAGE = {PUBLIC: "exposure", LEADER: "scorecards", SUPERVISOR: "audit", ADMIN: "scorecards"}
# Roles cleared to read a citizen's personal data in the audit view.
CLEARED = frozenset({SUPERVISOR})


def page(key: str) -> PageSpec:
    """The page with this key."""
    return next(p for p in PAGES if p.key == key)


def pages_for(role: str) -> list[PageSpec]:
    """The pages a role may open, in navigation order (unknown roles get the public ones)."""
    role = role if role in ROLES else PUBLIC
    return [p for p in PAGES if role in p.roles]


def may_open(role: str, key: str) -> bool:
    """Whether a role may open a page."""
    return role in page(key).roles


def cleared(role: str) -> bool:
    """Whether a role may see personal data unmasked."""
    return role in CLEARED
