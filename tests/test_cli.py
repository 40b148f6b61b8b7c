"""The ``ecoute`` command as a newcomer uses it: migrate, chat, export, stats, and clear errors."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ecoute(*args: str, url: str, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess."""
    environment = {**os.environ, "DATABASE_URL": url, "LANG": "C", **env}
    environment.pop("ECOUTE_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "ecoute.cli", *args], input=stdin, capture_output=True,
        text=True, env=environment, cwd=ROOT, timeout=60,
    )


@pytest.fixture
def migrated(database_url: str) -> str:
    """Return the URL of a database migrated by ``ecoute db upgrade``."""
    done = ecoute("db", "upgrade", url=database_url)
    assert done.returncode == 0, done.stderr
    assert ecoute("db", "upgrade", url=database_url).returncode == 0, "safe to run twice"
    return database_url


def test_python_dash_m_ecoute_is_the_same_command(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    environment = {**os.environ, "DATABASE_URL": url, "LANG": "C"}
    run = [sys.executable, "-m", "ecoute"]
    helped = subprocess.run([*run, "--help"], capture_output=True, text=True, env=environment,
                            cwd=ROOT, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert "python -m ecoute" in helped.stdout and "announce" in helped.stdout
    listed = subprocess.run([*run, "announce", "list"], capture_output=True, text=True,
                            env=environment, cwd=ROOT, timeout=60)
    assert listed.returncode == 1 and "run `ecoute db upgrade` first" in listed.stderr


def test_a_whole_nps_dialogue_in_the_terminal_then_export_and_stats(migrated: str) -> None:
    chat = ecoute("chat", "--survey", "nps", "--as", "ana", url=migrated,
                  stdin="9\ngreat service\n2\n")
    assert chat.returncode == 0, chat.stderr
    assert "[0 · 1 · 2 · 3 · 4 · 5 · 6 · 7 · 8 · 9 · 10]" in chat.stdout
    assert "Wonderful! What do you like most about us?" in chat.stdout
    assert "  1. Yes, tell me\n  2. No" in chat.stdout
    assert chat.stdout.rstrip().endswith("Understood, we will not message you.")

    exported = ecoute("export", "responses", "--format", "jsonl", url=migrated)
    record = json.loads(exported.stdout)
    assert record["answers"] == {"score": 9, "why_promoter": "great service"}
    assert (record["channel"], record["survey"], record["status"]) == (
        "console", "nps", "completed")
    assert record["language"] == "en" and len(record["survey_version"]) == 12
    assert record["started_at"].endswith("Z") and record["completed_at"]

    rows = list(csv.DictReader(io.StringIO(
        ecoute("export", "responses", "--format", "csv", url=migrated).stdout)))
    assert rows[0]["answers.score"] == "9"
    assert rows[0]["answers.why_promoter"] == "great service"

    stats = json.loads(ecoute("stats", url=migrated).stdout)
    assert stats["nps"] == {"score": 100.0, "promoters": 1, "passives": 0, "detractors": 0,
                            "responses": 1}
    assert stats["csat"] == {"score": None, "mean": None, "responses": 0}
    table = ecoute("stats", "--format", "table", url=migrated).stdout
    assert table.splitlines()[1].split()[:3] == ["NPS", "100", "1"]


def test_chat_menu_numbers_french_and_stop(migrated: str) -> None:
    chat = ecoute("chat", "--lang", "fr", "--as", "marie", url=migrated, stdin="2\n4\nstop\n9\n")
    assert chat.returncode == 0, chat.stderr
    assert "  2. Comment nous sommes-nous débrouillés ?" in chat.stdout
    assert "Êtes-vous satisfait du service" in chat.stdout
    assert "Ravis de l'entendre" in chat.stdout
    assert "vous ne recevrez plus de messages" in chat.stdout
    assert "9" not in chat.stdout.split("vous ne recevrez plus")[1], "the chat ended at stop"


def test_stats_since_a_day_and_csat_mean(migrated: str) -> None:
    for person, rating in (("a", "5"), ("b", "4"), ("c", "1")):
        ecoute("chat", "--survey", "csat", "--as", person, url=migrated, stdin=f"{rating}\n")
    stats = json.loads(ecoute("stats", "--since", "2000-01-01", url=migrated).stdout)
    assert stats["csat"] == {"score": 66.7, "mean": 3.33, "responses": 3}
    later = json.loads(ecoute("stats", "--since", "2999-01-01", url=migrated).stdout)
    assert later["csat"]["responses"] == 0


@pytest.mark.parametrize(
    ("args", "url", "message"),
    [
        (("stats",), "nosuchdb://x", "ecoute: error: DATABASE_URL is not usable"),
        (("stats",), "postgresql+psycopg://nobody@127.0.0.1:1/x", "cannot reach the database"),
        (("db", "upgrade"), "postgresql+psycopg://nobody@127.0.0.1:1/x",
         "cannot reach the database"),
        (("export", "responses"), "sqlite:///{tmp}/empty.db",
         "the database has no schema yet: run `ecoute db upgrade` first"),
        (("chat", "--survey", "nope"), "migrated",
         "no survey 'nope' (known: ces, complaint, csat, nps)"),
    ],
)
def test_errors_are_one_line_on_stderr_and_a_failure_exit(
    args: tuple[str, ...], url: str, message: str, tmp_path: Path, sqlite_url: str
) -> None:
    if url == "migrated":
        url = sqlite_url
        ecoute("db", "upgrade", url=url)
    done = ecoute(*args, url=url.format(tmp=tmp_path))
    assert done.returncode == 1
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_survey_validation_names_the_file_line_and_problem(tmp_path: Path,
                                                            sqlite_url: str) -> None:
    good = ecoute("surveys", "validate", "surveys/nps.yaml", url=sqlite_url)
    assert good.returncode == 0 and "surveys/nps.yaml: ok (nps, 4 questions)" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "surveys/csat.yaml").read_text().replace("type: csat", "type: stars"))
    refused = ecoute("surveys", "validate", str(bad), url=sqlite_url)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"ecoute: error: {bad}:8: questions[0].type: 'stars'")


def test_every_command_says_what_it_does(sqlite_url: str) -> None:
    top = ecoute("--help", url=sqlite_url)
    for command in ("chat", "db", "export", "serve", "stats", "surveys", "worker"):
        assert command in top.stdout
    assert "Hold a dialogue in the terminal" in ecoute("chat", "--help", url=sqlite_url).stdout


def test_the_survey_list_shows_keys_versions_and_questions(sqlite_url: str) -> None:
    listed = ecoute("surveys", "list", url=sqlite_url).stdout
    assert "nps " in listed and "[score, why_detractor, why_passive, why_promoter]" in listed


def test_the_command_groups_never_import_the_command_line_that_gathers_them() -> None:
    # ecoute/cli.py -> ecoute/cli_<group>.py -> ecoute/cli_common.py: the arrows run one way.
    back = re.compile(r"^\s*(from\s+ecoute\.cli\s+import|from\s+ecoute\s+import\s+cli\b"
                      r"|import\s+ecoute\.cli\b(?!_))", re.MULTILINE)
    groups = sorted((ROOT / "ecoute").glob("cli_*.py"))
    assert {p.name for p in groups} >= {"cli_common.py", "cli_slack.py", "cli_telegram.py"}
    assert {p.name: back.findall(p.read_text()) for p in groups if back.search(p.read_text())} == {}
