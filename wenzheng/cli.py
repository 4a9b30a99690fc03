"""The `wenzheng` command line: each command group lives in wenzheng/commands/."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from wenzheng.failures import USAGE, explain, hide_secrets
from wenzheng.logs import setup_logging

# One module per command group; each has register(subparsers) setting `run(args, home) -> int`.
COMMAND_MODULES = (
    "wenzheng.commands.cases",
    "wenzheng.commands.projections",
    "wenzheng.commands.transport",
    "wenzheng.commands.demo",
    "wenzheng.commands.scoring",
    "wenzheng.commands.integrity",
    "wenzheng.commands.anchors",
    "wenzheng.commands.users",
    "wenzheng.commands.keys",
    "wenzheng.commands.calendar",
)


class Parser(argparse.ArgumentParser):
    """argparse with its usage errors as one Chinese line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print the problem in one line and exit with status 2."""
        for english, chinese in ARGPARSE_ZH:
            message = message.replace(english, chinese)
        self.exit(USAGE, f"参数错误：{hide_secrets(message)}（用 {self.prog} --help 查看用法）\n")


# argparse's own wording, in Chinese.
ARGPARSE_ZH = (("the following arguments are required:", "缺少参数："),
               ("unrecognized arguments:", "不认识的参数："),
               ("invalid choice:", "取值无效："), ("choose from", "可选"),
               ("expected one argument", "需要一个值"), ("invalid int value:", "应为整数："),
               ("invalid float value:", "应为数："),
               ("not allowed with argument", "不能与此参数同用："),
               ("argument ", "参数 "))
# Commands that never open the store (no PostgreSQL check before them).
OFFLINE_COMMANDS = frozenset({"init", "kek", "user"})


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(
        prog="wenzheng", description="问政：网络问政案件问责与绩效考核"
    )
    parser.add_argument("--home", help="home folder (default: $WENZHENG_HOME or ./.wenzheng)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: every failure ends in one Chinese line (README)."""
    args = build_parser().parse_args(argv)  # --help ends here, before the store is loaded
    setup_logging()
    try:
        from wenzheng.home import Home, check_postgres, owner_only

        owner_only()
        home = Home.resolve(args.home)
        if args.command not in OFFLINE_COMMANDS and "POSTGRES_HOST" in (env := home.store_env()):
            check_postgres(env)
        result: int = args.run(args, home)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0
    except (Exception, KeyboardInterrupt) as exc:
        if os.environ.get("WENZHENG_DEBUG") == "1":
            raise
        status, line = explain(exc)
        print(line, file=sys.stderr)
        return status
    return result


if __name__ == "__main__":
    sys.exit(main())
