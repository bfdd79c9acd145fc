"""Every command has a --help that explains it and shows an example (its docstring)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner

from kg.cli import COMMANDS, cli

AVAILABLE = cli.list_commands(None)  # type: ignore[arg-type]


def test_all_planned_commands_are_available() -> None:
    assert sorted(AVAILABLE) == sorted(COMMANDS)


@pytest.mark.parametrize("name", AVAILABLE)
def test_command_has_help_with_example(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output, f"kg {name} --help shows no example"
    assert len(result.output.splitlines()) > 5


def test_top_level_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in AVAILABLE:
        assert f"  {name} " in result.output


def test_help_imports_no_heavy_module() -> None:
    """`kg --help` stays fast: rdflib, pyshacl, networkx, pyvis are imported only when used."""
    code = ("import sys; from kg.cli import cli\n"
            "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('rdflib', 'pyshacl', 'networkx', 'pyvis', 'pyoxigraph', 'rich') "
            "if m in sys.modules]\nprint(heavy, file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stderr.strip() == "[]"
