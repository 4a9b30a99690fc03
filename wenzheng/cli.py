"""The `wenzheng` command line: each command group lives in wenzheng/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from projections.schema import ReadModelsOutdated
from wenzheng.config import ConfigError
from wenzheng.home import Home

# One module per command group; each has register(subparsers) setting `run(args, home) -> int`.
COMMAND_MODULES = (
    "wenzheng.commands.cases",
    "wenzheng.commands.projections",
    "wenzheng.commands.transport",
    "wenzheng.commands.demo",
    "wenzheng.commands.scoring",
    "wenzheng.commands.integrity",
    "wenzheng.commands.users",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="wenzheng", description="问政：网络问政案件问责与绩效考核"
    )
    parser.add_argument("--home", help="home folder (default: $WENZHENG_HOME or ./.wenzheng)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    home = Home.resolve(args.home)
    try:
        result: int = args.run(args, home)
    except ConfigError as exc:
        print(f"配置错误：{exc}", file=sys.stderr)
        return 2
    except ReadModelsOutdated as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    return result


if __name__ == "__main__":
    sys.exit(main())
