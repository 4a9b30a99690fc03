"""The benchmark's data: the demonstration city's actions, generated once and cached on disk.

Files live in BENCH_DATA (default /work/benchdata, outside the repository), keyed by cases,
seed, year and order: `demo-<cases>-seed<seed>-<year>-<order>.jsonl` with a `.meta.json`
beside it. A file is written under a temporary name and renamed when complete, so a cut-off
generation is never mistaken for a cached one.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.proc import python_argv, run_command, step_env

DEFAULT_DATA = "/work/benchdata"


def data_dir() -> Path:
    """BENCH_DATA, else /work/benchdata (created)."""
    path = Path(os.environ.get("BENCH_DATA", "").strip() or DEFAULT_DATA)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Dataset:
    """A cached file of actions for one demonstration year."""

    cases: int
    seed: int
    year: int
    order: str

    @property
    def key(self) -> str:
        """cases, seed, year and order in one name."""
        return f"{self.cases}-seed{self.seed}-{self.year}-{self.order}"

    @property
    def path(self) -> Path:
        """The JSON Lines file of actions."""
        return data_dir() / f"demo-{self.key}.jsonl"

    @property
    def meta_path(self) -> Path:
        """What is known about the file: actions, generation time and memory."""
        return self.path.with_suffix(".meta.json")

    def meta(self) -> dict[str, Any] | None:
        """The cached description, or None when the data is not there yet."""
        if not (self.path.is_file() and self.meta_path.is_file()):
            return None
        data: dict[str, Any] = json.loads(self.meta_path.read_text(encoding="utf-8"))
        return data

    def ensure(self, timeout: float) -> dict[str, Any]:
        """Generate the file with `wenzheng demo --no-apply --out` unless it is cached."""
        cached = self.meta()
        if cached is not None:
            return {**cached, "cached": True}
        part = self.path.with_suffix(".part")
        with tempfile.TemporaryDirectory(prefix="bench-gen-") as home:
            argv = python_argv("-m", "wenzheng.cli", "--home", home, "demo",
                               "--cases", str(self.cases), "--seed", str(self.seed),
                               "--year", str(self.year), "--order", self.order,
                               "--no-apply", "--quiet", "--out", str(part))
            done = run_command(argv, step_env(), timeout)
        if done.returncode != 0:
            part.unlink(missing_ok=True)
            raise RuntimeError(f"wenzheng demo failed ({done.returncode}): {done.output[-2000:]}")
        with part.open("rb") as handle:
            actions = sum(1 for _ in handle)
        meta = {"cases": self.cases, "seed": self.seed, "year": self.year, "order": self.order,
                "actions": actions, "bytes": part.stat().st_size,
                "generate_seconds": round(done.seconds, 2),
                "generate_peak_rss_mib": round(done.peak_rss_mib, 1)}
        part.replace(self.path)
        self.meta_path.write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return {**meta, "cached": False}
