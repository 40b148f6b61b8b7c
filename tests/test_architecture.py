"""The house rules a machine can check: the layer table, docstrings, the channel registry.

The layers run one way: ``ecoute`` -> ``web`` -> ``channels`` -> ``bot`` -> ``storage``.
Every import counts, including those under ``TYPE_CHECKING`` and inside functions.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sources import has_docstring, imported_modules

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("ecoute", "web", "channels", "bot", "storage")
PROJECT = {*LAYERS, "tests", "bench", "testkit"}
# For every package: the project's packages it may import (its own included).
MAY_IMPORT: dict[str, set[str]] = {
    "ecoute": {"ecoute", "web", "channels", "bot", "storage"},
    "web": {"web", "channels", "bot", "storage"},
    "channels": {"channels", "bot", "storage"},
    "bot": {"bot", "storage"},
    "storage": {"storage"},
    "testkit": {"testkit", "storage"},
    "bench": {"bench", "testkit", *LAYERS},
    "tests": {"tests", "testkit", *LAYERS},
}
# Libraries a layer must not know: the core knows no platform and no web framework.
NEVER: dict[str, set[str]] = {
    "bot": {"flask", "werkzeug", "flask_cors", "telegram", "slack_bolt", "slack_sdk", "click",
            "gunicorn"},
    "storage": {"flask", "werkzeug", "telegram", "slack_bolt", "slack_sdk", "click", "limits",
                "apscheduler"},
    "channels": {"flask", "werkzeug", "flask_cors", "click", "gunicorn"},
}


def offences(package: str, path: Path) -> list[str]:
    """Return the modules one file imports against the table, sorted."""
    names = imported_modules(path)
    wrong = (names & PROJECT) - MAY_IMPORT[package]
    return sorted(wrong | (names & NEVER.get(package, set())))


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_a_package_imports_only_what_the_layer_table_allows(package: str) -> None:
    found = {str(path.relative_to(ROOT)): offences(package, path)
             for path in (ROOT / package).rglob("*.py")}
    assert {path: names for path, names in found.items() if names} == {}


@pytest.mark.parametrize("stray", [
    "from ecoute.wiring import build\n",
    "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ecoute.config import X\n",
    "def f():\n    import web.pages\n",
    "import os, channels.slack\n",
])
def test_a_single_stray_import_anywhere_is_caught(stray: str, tmp_path: Path) -> None:
    source = tmp_path / "stray.py"
    source.write_text(f'"""A module that points back up."""\n{stray}', encoding="utf-8")
    assert offences("bot", source) != []


def test_every_module_says_what_it_is_responsible_for() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for package in (*LAYERS, "testkit")
        for path in (ROOT / package).rglob("*.py")
        if "versions" not in path.parts and path.stat().st_size
        and not has_docstring(path)
    ]
    assert missing == []


def test_every_channel_folder_is_in_the_registry_under_its_own_name() -> None:
    from channels.registry import BUILT_IN, registered

    channels = registered()
    assert {name: channels[name].name for name in BUILT_IN} == {name: name for name in BUILT_IN}
    shared = {"__init__", "registry", "text_fallbacks",
              "webhooks"}  # the outbox's webhook sender: no channel people talk on
    adapters = {p.stem for p in (ROOT / "channels").glob("*.py")} - shared
    folders = {p.name for p in (ROOT / "channels").iterdir() if (p / "__init__.py").exists()}
    modules = {reference.split(":")[0].split(".")[1] for reference in BUILT_IN.values()}
    assert adapters | folders == modules
