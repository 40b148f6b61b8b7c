"""The house rules a machine can check: the core knows no platform, channels know no web."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.sources import has_docstring, imported_modules

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "bot": {"channels", "web", "ecoute", "flask", "werkzeug", "telegram", "slack_bolt",
            "slack_sdk"},
    "channels": {"web"},
    "storage": {"channels", "web", "ecoute", "flask"},
}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_package_never_imports_what_it_must_not_know(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_module_says_what_it_is_responsible_for() -> None:
    missing = [
        str(path.relative_to(ROOT))
        for package in ("bot", "channels", "storage", "web", "ecoute")
        for path in (ROOT / package).rglob("*.py")
        if "versions" not in path.parts and path.stat().st_size
        and not has_docstring(path)
    ]
    assert missing == []


def test_the_channel_registry_names_each_adapter_by_its_own_name() -> None:
    from channels import CHANNELS

    assert {name: importlib.import_module(module).NAME for name, module in CHANNELS.items()} == {
        name: name for name in CHANNELS
    }
    adapters = {p.stem for p in (ROOT / "channels").glob("*.py")} - {"__init__", "base"}
    assert {a for a in adapters if "_" not in a} == set(CHANNELS)
