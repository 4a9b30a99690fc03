"""`wenzheng project --follow` runs as a service: it logs in the one format and stops on SIGTERM."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.kafka_support import terminate
from wenzheng.home import Home


def test_a_following_projection_logs_its_start_with_its_position_and_stops_on_sigterm(
        tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.init()
    env = {k: v for k, v in os.environ.items() if k != "WENZHENG_DATABASE_URL"}
    env.update({"WENZHENG_HOME": str(home.root), "PYTHONUNBUFFERED": "1"})
    log = tmp_path / "follow.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "wenzheng.cli", "project", "--follow",
                                 "--interval", "0.2"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while "持续跟踪事件库" not in log.read_text(encoding="utf-8") and (
                time.monotonic() < deadline and proc.poll() is None):
            time.sleep(0.2)
    finally:
        code = terminate(proc)
    text = log.read_text(encoding="utf-8")
    assert code == 0, text
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ INFO follow 持续跟踪事件库（Ctrl-C 停止）… "
                     r"position=0$", text, re.M), text
    assert "已停止跟踪：应用 0 个事件" in text and "Traceback" not in text
