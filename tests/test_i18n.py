"""Every string a person reads has its French: extracted from the code, checked in the catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from bot.i18n import SUPPORTED, catalog_path, choose_language, gettext_for, language_name, normalise

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w*)\}")


DOMAIN_CONSTANT = re.compile(r"""^DOMAIN\s*=\s*["']([\w-]+)["']""", re.MULTILINE)
DOMAIN_LITERAL = re.compile(r"""gettext_for\([^()]*?,\s*["']([\w-]+)["']\s*\)""")


def domain_of(path: Path) -> str:
    """Return the catalog domain a module translates with (``gettext_for(lang, DOMAIN)``)."""
    text = path.read_text(encoding="utf-8")
    if "gettext_for(" not in text:
        return "messages"
    found = DOMAIN_LITERAL.search(text) or (
        DOMAIN_CONSTANT.search(text) if re.search(r"gettext_for\([^()]*?,\s*DOMAIN\s*\)", text)
        else None
    )
    return found.group(1) if found else "messages"


def used_strings() -> dict[str, set[str]]:
    """Return every translatable string of the code and templates, by domain."""
    found: dict[str, set[str]] = {}
    for package in ("bot", "channels", "web"):
        for path in (ROOT / package).rglob("*.py"):
            for _line, message, _comments, _context in extract_from_file("python", str(path)):
                ids = message if isinstance(message, tuple) else (message,)
                found.setdefault(domain_of(path), set()).update(ids)
    for path in (ROOT / "web").rglob("*.html"):
        for _line, message, _comments, _context in extract_from_file(
            "jinja2.ext:babel_extract", str(path)
        ):
            ids = message if isinstance(message, tuple) else (message,)
            domain = "console" if "console" in path.relative_to(ROOT).parts else "web"
            found.setdefault(domain, set()).update(ids)
    return found


USED = used_strings()


@pytest.mark.parametrize("domain", sorted(USED))
def test_every_string_has_a_french_translation_with_the_same_placeholders(domain: str) -> None:
    path = catalog_path("fr", domain)
    assert path.exists(), f"no French catalog {path.relative_to(ROOT)}"
    with path.open("rb") as po:
        catalog = read_po(po)
    missing, broken = [], []
    for msgid in sorted(USED[domain]):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(msgid)
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(str(entry.string))):
            broken.append(msgid)
    assert missing == [], f"untranslated in {domain}.po"
    assert broken == [], f"placeholders differ in {domain}.po"


def test_the_core_has_strings_to_translate() -> None:
    assert len(USED["messages"]) > 30


def test_locale_hints_map_to_supported_languages() -> None:
    assert [normalise(h) for h in ("fr-CA", "en_GB", "fr_FR.UTF-8", "de", "", None)] == [
        "fr", "en", "fr", None, None, None]
    assert gettext_for("fr")("Skip") == "Passer"
    assert gettext_for("de")("Skip") == "Skip"


@pytest.mark.parametrize("chosen, hint, expected", [
    ("fr", "en-US", "fr"),  # the person's own choice first
    (None, "fr-CA", "fr"),  # then the platform's hint
    (None, "de-DE", "en"),  # a hint we do not speak is no hint: the default
    (None, None, "en"),
])
def test_a_language_is_chosen_by_choice_then_hint_then_default(
        chosen: str | None, hint: str | None, expected: str) -> None:
    assert choose_language(chosen, hint, "en") == expected


def test_every_supported_language_has_its_own_name() -> None:
    assert [language_name(code) for code in SUPPORTED] == ["English", "Français"]
