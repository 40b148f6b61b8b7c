"""Translations for everything a person reads, from Babel catalogs (``bot/locales``).

English strings are the message ids. Each part has its own domain (``messages``
for the core; ``telegram``, ``slack``, ``web`` for the channels), one ``.po``
catalog per language, compiled in memory on first use so a compiled file can
never be stale. Survey texts carry their own translations in the survey files.

To add a string: write ``_("English text")`` in the code, then add its French
in ``bot/locales/fr/LC_MESSAGES/<domain>.po`` (``tests/test_i18n.py`` fails on
a string with no translation).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).parent / "locales"
SUPPORTED = ("en", "fr")  # the one list of languages a person can be spoken to in
NAMES = {"en": "English", "fr": "Français"}  # each language's own name, for the menu
DOMAIN = "messages"

Gettext = Callable[[str], str]


def catalog_path(language: str, domain: str = DOMAIN) -> Path:
    """Return where the ``.po`` catalog of a language and domain lives."""
    return LOCALES / language / "LC_MESSAGES" / f"{domain}.po"


@cache
def translations(language: str, domain: str = DOMAIN) -> NullTranslations:
    """Return the catalog for ``language`` and ``domain`` (English ids when none)."""
    path = catalog_path(language, domain)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language, domain=domain)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=domain)


def gettext_for(language: str, domain: str = DOMAIN) -> Gettext:
    """Return a ``gettext`` function for ``language`` in ``domain``."""
    return translations(normalise(language) or "en", domain).gettext


def normalise(hint: str | None) -> str | None:
    """Map a locale hint such as ``fr-CA``, ``en_GB`` or ``fr_FR.UTF-8`` to a supported language."""
    if not hint:
        return None
    language = hint.replace("_", "-").split("-", 1)[0].split(".", 1)[0].strip().lower()
    return language if language in SUPPORTED else None


def pick(texts: dict[str, str], language: str) -> str:
    """Return the text for ``language`` from a per-language mapping, falling back to English."""
    return texts.get(language) or texts.get("en") or next(iter(texts.values()))


def language_name(language: str) -> str:
    """Return a language's own name, e.g. ``Français``."""
    return NAMES[language]


def choose_language(chosen: str | None, hint: str | None, default: str) -> str:
    """Return the language to speak: the person's choice, else the platform's hint, else default.

    This is the one place that order is written; ``chosen`` is what the person
    picked explicitly (None when they never did), ``hint`` a platform locale such
    as ``fr-CA`` (unsupported hints are ignored).
    """
    return normalise(chosen) or normalise(hint) or default
