"""``kg parse``: JSON Lines on stdout, rejects on stderr as path:line: reason, exit 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import cli

from .conftest import SEED_FILES


def test_parse_seed_prints_one_json_object_per_entry(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(cli, ["parse", *map(str, SEED_FILES)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 15
    first = json.loads(lines[0])
    assert first["source"]["line"] == 1 and first["kind"] == "paper"
    assert [json.loads(x)["source"]["line"] for x in lines[:5]] == [1, 3, 5, 7, 9]
    assert "LiveClin:无泄漏的实时临床基准" in result.stdout  # UTF-8, not \u escapes


def test_rejected_entries_exit_1_and_the_rest_still_print(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    lines = SEED_FILES[1].read_text("utf-8").splitlines()
    lines[2] = "论文ICLR 2026 Oral clinical prediction 没有年份"  # header of entry 2 loses its year
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    result = runner.invoke(cli, ["parse", str(bad)])
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 9
    assert result.stderr.strip() == f"{bad}:3: paper header has no '<year> 年' field"


def test_unreadable_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["parse", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2
    assert "missing.txt: no such file or directory" in result.stderr


def test_no_arguments_is_a_usage_error(runner: CliRunner) -> None:
    assert runner.invoke(cli, ["parse"]).exit_code == 2
