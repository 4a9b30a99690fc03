"""The home folder: where wenzheng.toml, the embedded stores, keys and dead letters live."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wenzheng.config import CONFIG_NAME, Settings, read_settings, write_default
from wenzheng.store.kek import DEMO_KEK_NAME, KEK_ENV, KEK_FILE_ENV, write_kek_file

DEFAULT_HOME = ".wenzheng"


@dataclass(frozen=True)
class Home:
    """A home folder: configuration plus the embedded SQLite stores."""

    root: Path

    @classmethod
    def resolve(cls, given: str | None = None) -> Home:
        """--home, else WENZHENG_HOME, else ./.wenzheng."""
        return cls(Path(given or os.environ.get("WENZHENG_HOME") or DEFAULT_HOME).resolve())

    @property
    def config_path(self) -> Path:
        """wenzheng.toml in the home folder."""
        return self.root / CONFIG_NAME

    @property
    def events_db(self) -> Path:
        """The embedded event store."""
        return self.root / "events.sqlite"

    @property
    def readmodels_db(self) -> Path:
        """The embedded read-model database."""
        return self.root / "readmodels.sqlite"

    @property
    def dead_letter_dir(self) -> Path:
        """Where rejected input is kept with its reasons."""
        return self.root / "dead-letter"

    @property
    def demo_kek(self) -> Path:
        """The demonstration home's key-encryption key (only `wenzheng demo` writes it)."""
        return self.root / DEMO_KEK_NAME

    def init(self) -> bool:
        """Create the folder (owner-only) and a default configuration; True if it is new."""
        owner_only()
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        written = write_default(self.config_path)
        tighten(self.root)
        return written

    def ensure_demo_kek(self) -> bool:
        """Give a demonstration home its own KEK file unless one is configured; True if made."""
        if os.environ.get(KEK_ENV, "").strip() or os.environ.get(KEK_FILE_ENV, "").strip():
            return False
        self.init()
        return write_kek_file(self.demo_kek)

    def settings(self) -> Settings:
        """The validated configuration, read once per version of the file and never written
        (a home without wenzheng.toml reads the demonstration city's; `init` writes it)."""
        return read_settings(self.config_path)


def owner_only() -> None:
    """Files and folders this process creates are readable by their owner only."""
    os.umask(0o077)


HOME_FILES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".toml", ".kek",
              ".jsonl")


def tighten(root: Path) -> None:
    """Make the home's own files (stores, settings, keys, dead letters) owner-only."""
    letters = root / "dead-letter"
    if letters.is_dir():
        letters.chmod(0o700)
    for folder in (root, letters):
        if not folder.is_dir():
            continue
        for child in folder.iterdir():
            if (child.suffix in HOME_FILES or child.name.endswith(HOME_FILES)) and \
                    child.is_file() and child.stat().st_mode & 0o077:
                child.chmod(0o600)
