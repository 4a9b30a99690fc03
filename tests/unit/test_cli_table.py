"""The command table in wenzheng/cli.py agrees with what the command modules register."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import subprocess
import sys

import pytest

import wenzheng.commands
from wenzheng.cli import COMMANDS, build_parser, command_of, main


def _commands(parser: argparse.ArgumentParser) -> list[tuple[str, str | None]]:
    """The parser's subcommands with their one-line help, in order."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return [(c.dest, c.help) for c in sub._choices_actions]


def test_the_table_lists_every_registered_command_in_order_with_its_help() -> None:
    assert [(name, help_line) for name, _, help_line in COMMANDS] == _commands(build_parser())


def test_each_command_is_registered_by_the_module_the_table_names() -> None:
    for module in {m for _, m, _ in COMMANDS}:
        sub = argparse.ArgumentParser().add_subparsers()
        importlib.import_module(f"wenzheng.commands.{module}").register(sub)
        assert set(sub.choices) == {n for n, m, _ in COMMANDS if m == module}


def test_every_command_module_appears_in_the_table() -> None:
    found = {m.name for m in pkgutil.iter_modules(wenzheng.commands.__path__)
             if hasattr(importlib.import_module(f"wenzheng.commands.{m.name}"), "register")}
    assert found == {m for _, m, _ in COMMANDS}


def test_a_parser_for_one_command_reads_its_options_like_the_full_parser() -> None:
    argv = ["--home", "h", "metrics", "--from", "2025-01-01", "--to", "2025-12-31"]
    assert vars(build_parser("metrics").parse_args(argv)) == vars(build_parser().parse_args(argv))


def test_the_command_word_is_found_after_the_home_option() -> None:
    assert command_of(["--home", "metrics", "case", "N1"]) == "case"
    assert command_of(["--help"]) is None
    assert command_of(["nonsense"]) is None


def test_top_level_help_loads_no_command_module_and_no_store() -> None:
    code = ("import sys\nfrom wenzheng.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('wenzheng.commands.', "
            "'eventsourcing', 'holidays', 'pandas', 'streamlit', 'kafka', 'docx'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_missing_home_value_is_one_chinese_line_and_status_2(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(["--home"])
    assert ended.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "参数错误：参数 --home: 需要一个值（用 wenzheng --help 查看用法）"]
