"""The text fallback every button-less channel shares: numbered choices, typed answers."""

from __future__ import annotations

from bot.messages import Choice, InputHint, Outbound
from channels.text_fallbacks import numbered, resolve_typed

MENU = Outbound("Which survey?", choices=(Choice("survey:nps", "Recommend us?"),
                                          Choice("survey:csat", "How did we do?")),
                expects=InputHint.CHOICE, ref="menu")
SCALE = Outbound("Score?", choices=tuple(Choice(str(n), str(n)) for n in range(11)),
                 expects=InputHint.SCALE)
OPTIONAL_TEXT = Outbound("Anything to add?", choices=(Choice("answer:skip", "Skip"),),
                         expects=InputHint.TEXT)


def test_choices_are_numbered_and_a_scale_fits_one_line() -> None:
    assert numbered(MENU) == "Which survey?\n  1. Recommend us?\n  2. How did we do?"
    assert numbered(SCALE).endswith("[0 · 1 · 2 · 3 · 4 · 5 · 6 · 7 · 8 · 9 · 10]")


def test_a_number_or_a_label_names_a_choice() -> None:
    assert resolve_typed(MENU, "2").choice_id == "survey:csat"
    assert resolve_typed(MENU, " how did we do? ").choice_id == "survey:csat"
    assert resolve_typed(MENU, "7").text == "7"


def test_a_typed_score_stays_the_score() -> None:
    assert resolve_typed(SCALE, "9").text == "9"


def test_in_free_text_a_number_is_an_answer_but_the_skip_label_skips() -> None:
    assert resolve_typed(OPTIONAL_TEXT, "1").text == "1"
    assert resolve_typed(OPTIONAL_TEXT, "skip").choice_id == "answer:skip"
