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

# One module per command group in wenzheng/commands/; each has register(subparsers) setting
# `run(args, home) -> int`.
# Every command in the parser's order: its module and the one-line help `wenzheng --help` shows.
# Only the module of the command being run is imported (start-up, docs/PERFORMANCE.md);
# tests/unit/test_cli_table.py checks this table against what the modules register.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("init", "cases", "create the home folder and a default wenzheng.toml"),
    ("apply", "cases", "apply case actions from a JSON Lines file"),
    ("case", "cases", "a case's full history and current state"),
    ("project", "projections", "bring the read models up to date with the event store"),
    ("metrics", "projections", "per-department figures for cases assigned in a period"),
    ("exposure", "projections", "the exposure list (曝光台) derived by the rules"),
    ("relay", "transport", "publish the event store's events to Kafka"),
    ("intake", "transport", "apply case actions arriving on a Kafka topic"),
    ("consume", "transport", "feed the read models from Kafka or from the store"),
    ("status", "transport", "store head, relay position, consumer lag, projections"),
    ("demo", "demo", "generate the demonstration city's year of cases"),
    ("import", "ledger", "import a ledger (台账) from .xlsx or .csv"),
    ("scorecard", "scoring", "annual assessment scorecards (年度考核)"),
    ("bulletin", "scoring", "the monthly bulletin (每月通报): md, docx, xlsx"),
    ("bulletins", "scoring", "issue each month's bulletin once, when it is due"),
    ("verify", "integrity", "check the hash chains of the event log (日志完整性校验)"),
    ("erase", "integrity", "destroy a case's personal data (个人信息删除)"),
    ("anchor", "anchors", "signed checkpoints of the log's head (日志锚点)"),
    ("user", "users", "users of the Streamlit app (HOME/users.toml)"),
    ("kek", "keys", "key-encryption key for citizens' personal data (密钥加密密钥)"),
    ("calendar", "calendar", "working-day calendar: show, check, revise"),
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


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every subcommand in full, or only `command` (the others listed)."""
    parser = Parser(
        prog="wenzheng", description="问政：网络问政案件问责与绩效考核"
    )
    parser.add_argument("--home", help="home folder (default: $WENZHENG_HOME or ./.wenzheng)")
    sub = parser.add_subparsers(dest="command", required=True)
    wanted = {m for name, m, _ in COMMANDS if command is None or name == command}
    registered: set[str] = set()
    for name, module, help_line in COMMANDS:
        if module not in wanted:
            sub.add_parser(name, help=help_line)
        elif module not in registered:
            importlib.import_module(f"wenzheng.commands.{module}").register(sub)
            registered.add(module)
    return parser


def command_of(argv: Sequence[str]) -> str | None:
    """The command word in the arguments (after `--home DIR`), or None when there is none."""
    before = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    before.add_argument("--home")
    try:
        _, rest = before.parse_known_args(argv)
    except argparse.ArgumentError:  # `--home` without its value: the full parser words it
        return None
    word = next((a for a in rest if not a.startswith("-")), None)
    return word if any(word == name for name, _, _ in COMMANDS) else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: every failure ends in one Chinese line (README)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    # --help ends here, having loaded only the command's own module (or none)
    args = build_parser(command_of(argv) or "").parse_args(argv)
    if not hasattr(args, "run"):  # the command word was not where command_of looked
        args = build_parser().parse_args(argv)
    setup_logging()
    try:
        from wenzheng.bootstrap.service import store_env
        from wenzheng.home import Home, owner_only
        from wenzheng.store.pgconnect import check_postgres

        owner_only()
        home = Home.resolve(args.home)
        if args.command not in OFFLINE_COMMANDS and "POSTGRES_HOST" in (env := store_env(home)):
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
