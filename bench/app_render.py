"""Render time of the app's scorecard page (部门考核) with Streamlit's AppTest, cold and warm.

Interface (used by bench/run):

    .venv/bin/python bench/app_render.py --home DIR [--repeat N] [--year YYYY] [--out FILE]

measures an existing home (`wenzheng demo` already applied; the read models up to date), on the
embedded stores or on PostgreSQL when `WENZHENG_DATABASE_URL` is set, exactly as the app reads
them. It signs in a demonstration leader (`wenzheng demo` writes HOME/users.toml with the demo
users; a home whose users.toml has no demo `leader` cannot be measured), opens 部门考核 (the page's
file from wenzheng/webapp/roles.py) through `app.py` and times that `AppTest.run()`: the whole
script run of the router and the page, without a browser. The session first runs the landing
page untimed (AppTest switches pages only after a first run). Filters: all peer groups, the
year `--year` (default: the page's default, the latest finished year), and "data as of" the end
of a fixed past day (31 January after the year, or yesterday, or the calendar's last day,
whichever is first), so every run asks for the same figures.

- cold without a snapshot ("cold_no_snapshot"): `st.cache_data` and `st.cache_resource`
  cleared and the stored scorecard snapshots (scorecards/snapshot.py) deleted first: a freshly
  started server's first view of the year when nothing was precomputed (connections opened,
  the year's scorecards computed and stored);
- cold ("cold"): the caches cleared, the snapshot stored by the run before kept: a freshly
  started server's first view when the assessment was precomputed (or viewed before) at the
  read models' current position, which is how the page is served;
- warm: a new session with the caches filled (every later view within the cache's TTL).

The page's modules are imported once beforehand, as a running server has done for good
(reported as "imports"). Each is repeated N times (default 3). The last line of stdout is
one JSON object (also written to --out):

    {"page": "部门考核", "home": DIR, "store": "sqlite" | "postgresql", "cases": <cases in
     the read model>, "year": <year shown>, "departments": <rows in the ranking>,
     "as_of_day": "YYYY-MM-DD", "repeat": N, "imports": <s>, "cold": <median s>,
     "cold_no_snapshot": <median s>, "warm": <median s>, "cold_runs": [s, ...],
     "cold_no_snapshot_runs": [s, ...], "warm_runs": [s, ...], "target_s": 1.0,
     "cold_ok": bool, "cold_no_snapshot_ok": bool, "warm_ok": bool}

Exit status 0 when measured (whether or not the target was met), 1 when the page did not
render (an exception, a refusal, no ranking table or another year than --year: the error
goes to stderr), 2 on usage. `measure(home, repeat, year)` returns the same dict in-process.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
from streamlit.logger import get_logger  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from projections.tables import CASES  # noqa: E402
from projections.tables import SCORECARD_CARDS as CARDS  # noqa: E402
from projections.tables import SCORECARD_SNAPSHOTS as SNAPSHOTS  # noqa: E402
from wenzheng.bootstrap.readside import open_readmodels  # noqa: E402
from wenzheng.home import Home  # noqa: E402
from wenzheng.webapp import moments, roles  # noqa: E402

PAGE_KEY, PAGE_TITLE = "scorecards", "部门考核"
TARGET_S = 1.0
RUN_TIMEOUT_S = 1800.0
# The session-state entry of a signed-in user (wenzheng/webapp/auth.py USER_KEY).
LEADER = {"name": "leader", "role": "leader", "via": "password"}
USER_KEY = "wz_user"
YEAR_KEY, AS_OF_KEY = "score_year", "score_as_of"  # the page's year and as-of filters
QUIET_LOGGERS = ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api")


class NotRendered(RuntimeError):
    """The scorecard page did not render its ranking."""


def case_count(home: Home) -> int:
    """How many cases the home's read model holds."""
    db = open_readmodels(home)
    try:
        row = db.fetchone(f"SELECT COUNT(*) FROM {CASES}")
    finally:
        db.close()
    return int(row[0]) if row else 0


def drop_snapshots(home: Home) -> None:
    """Delete the stored scorecard snapshots, so the next cold run computes the year."""
    db = open_readmodels(home)
    try:
        for table in (CARDS, SNAPSHOTS):
            if db.table_exists(table):
                db.execute(f"DELETE FROM {table}")
    finally:
        db.close()


def prepare_users() -> None:
    """Run the app once as the public (a first run, before the timed ones)."""
    AppTest.from_file(str(REPO / "app.py"), default_timeout=RUN_TIMEOUT_S).run()


def import_page_modules(page_file: Path) -> float:
    """Import what the page imports (a running server has done so once for good); seconds."""
    start = time.perf_counter()
    tree = ast.parse(page_file.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            module = importlib.import_module(node.module)
            for alias in node.names:
                if not hasattr(module, alias.name):  # a submodule imported by name
                    importlib.import_module(f"{node.module}.{alias.name}")
    return time.perf_counter() - start


def presets(home: Home, year: int | None, today: date) -> dict[str, Any]:
    """The page's filters in the session before it runs: the year, and a fixed past as-of day.

    A fixed day keeps the cache key the same across runs (the page's default is "now"
    rounded to five minutes, which a slow cold run may cross).
    """
    last = moments.last_covered_day(home.settings().deadline_policy().calendar)
    day = min(today - timedelta(days=1), last)
    values: dict[str, Any] = {}
    if year is not None:
        values[YEAR_KEY] = year
        day = min(day, date(year + 1, 1, 31))
    values[AS_OF_KEY] = day
    return values


def render_once(cold: bool, preset: dict[str, Any]) -> tuple[float, AppTest]:
    """One signed-in leader's run of the page; seconds taken and the finished AppTest."""
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=RUN_TIMEOUT_S)
    at.session_state[USER_KEY] = dict(LEADER)
    at.run()  # the landing page (曝光台): the navigation must exist before switching pages
    for key, value in preset.items():
        at.session_state[key] = value
    at.switch_page(roles.page(PAGE_KEY).file)
    if cold:
        st.cache_data.clear()
        st.cache_resource.clear()
    start = time.perf_counter()
    at.run()
    return time.perf_counter() - start, at


def check_rendered(at: AppTest) -> dict[str, Any]:
    """The year and ranking size shown; raises NotRendered when the page is not there."""
    if at.exception:
        raise NotRendered("; ".join(str(e.value) for e in at.exception))
    titles = [t.value for t in at.title]
    if not any(PAGE_TITLE in str(t) for t in titles):
        errors = [str(e.value) for e in at.error]
        raise NotRendered(f"{PAGE_TITLE} was not shown (titles {titles}, errors {errors})")
    if not at.dataframe:
        raise NotRendered(f"{PAGE_TITLE} shows no ranking table")
    rows = max(len(frame.value) for frame in at.dataframe)
    year = next((s.value for s in at.selectbox if s.key == YEAR_KEY), None)
    return {"year": year, "departments": rows}


def measure(home_dir: Path, repeat: int = 3, year: int | None = None) -> dict[str, Any]:
    """Cold and warm render times of the scorecard page on an existing home."""
    os.environ["WENZHENG_HOME"] = str(home_dir)
    home = Home.resolve(str(home_dir))
    prepare_users()
    imports = import_page_modules(REPO / roles.page(PAGE_KEY).file)
    preset = presets(home, year, date.today())
    computed_runs, cold_runs, warm_runs = [], [], []
    shown: dict[str, Any] = {}
    for _ in range(repeat):
        drop_snapshots(home)
        seconds, at = render_once(True, preset)
        shown = check_rendered(at)
        computed_runs.append(seconds)
        seconds, at = render_once(True, preset)
        check_rendered(at)
        cold_runs.append(seconds)
        seconds, at = render_once(False, preset)
        check_rendered(at)
        warm_runs.append(seconds)
    if year is not None and shown.get("year") != year:
        raise NotRendered(f"the page shows {shown.get('year')}, not {year}")
    cold, warm = statistics.median(cold_runs), statistics.median(warm_runs)
    computed = statistics.median(computed_runs)
    store = "postgresql" if os.environ.get("WENZHENG_DATABASE_URL", "").strip() else "sqlite"
    return {"page": PAGE_TITLE, "home": str(home.root), "store": store,
            "cases": case_count(home), **shown, "as_of_day": preset[AS_OF_KEY].isoformat(),
            "repeat": repeat, "imports": round(imports, 4),
            "cold": round(cold, 4), "cold_no_snapshot": round(computed, 4),
            "warm": round(warm, 4), "cold_runs": [round(s, 4) for s in cold_runs],
            "cold_no_snapshot_runs": [round(s, 4) for s in computed_runs],
            "warm_runs": [round(s, 4) for s in warm_runs],
            "target_s": TARGET_S, "cold_ok": cold < TARGET_S,
            "cold_no_snapshot_ok": computed < TARGET_S, "warm_ok": warm < TARGET_S}


def main(argv: list[str] | None = None) -> int:
    """Command line: measure, print the JSON (and write it to --out)."""
    for name in QUIET_LOGGERS:  # bare-mode warnings, one per cache call
        get_logger(name).disabled = True
    parser = argparse.ArgumentParser(description="部门考核页面渲染时间（AppTest，冷/热缓存）")
    parser.add_argument("--home", required=True, type=Path, help="已有数据的主目录")
    parser.add_argument("--repeat", type=int, default=3, help="冷、热各测几次（默认 3）")
    parser.add_argument("--year", type=int, help="考核年度（默认：页面的默认年度）")
    parser.add_argument("--out", type=Path, help="另存 JSON 结果的文件")
    args = parser.parse_args(argv)
    if args.repeat < 1 or not args.home.is_dir():
        parser.error("--home 必须是已有的目录，--repeat 至少为 1")
    try:
        result = measure(args.home, args.repeat, args.year)
    except NotRendered as exc:
        print(f"部门考核页面未能渲染：{exc}", file=sys.stderr)
        return 1
    text = json.dumps(result, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
