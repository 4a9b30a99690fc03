"""The supervision office's signing key and the signed checkpoints commands issue."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from wenzheng.bootstrap.service import store_env
from wenzheng.home import Home
from wenzheng.store.anchor import KEY_ENV, issue, load_private


def signing_key_path(given: str | None) -> Path | None:
    """The private key named by --key, else by $WENZHENG_ANCHOR_KEY, else none."""
    text = given or os.environ.get(KEY_ENV, "").strip()
    return Path(text) if text else None


def issue_checkpoint(home: Home, key_path: Path, out: Path, at: datetime) -> Path:
    """Sign the log's current head with the office's key; the file goes into `out`."""
    key = load_private(key_path, home.root)
    return issue(store_env(home), key, at, out)
