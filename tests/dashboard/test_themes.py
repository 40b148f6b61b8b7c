"""The main themes of free-text answers, in French and English, found offline."""

from __future__ import annotations

from bot.themes import themes

ENGLISH = [
    "The delivery was late and the delivery driver was rude",
    "Late delivery again, parcel arrived two days late",
    "Delivery took forever, very late",
    "Great prices, cheaper than elsewhere",
    "The prices are great and fair",
    "Good price for the quality",
]
FRENCH = [
    "La livraison était en retard, livreur désagréable",
    "Livraison très en retard, colis abîmé",
    "Encore une livraison en retard",
    "Le personnel en magasin est très accueillant",
    "Personnel accueillant et souriant",
    "Un personnel accueillant, merci",
]


def words(found: list) -> set[str]:
    return {word for theme in found for word in theme.words}


def test_english_themes_name_delivery_and_prices_without_stop_words() -> None:
    found = themes([(text, "en") for text in ENGLISH])
    assert {"delivery", "late"} <= words(found)
    assert any("prices" in t.words or "price" in t.words for t in found)
    assert not words(found) & {"the", "and", "was", "very"}
    assert all(theme.language == "en" for theme in found)
    assert sum(theme.texts for theme in found) == len(ENGLISH)


def test_french_themes_are_stemmed_and_shown_as_people_wrote_them() -> None:
    found = themes([(text, "fr") for text in FRENCH])
    assert {"livraison", "retard", "personnel", "accueillant"} <= words(found)
    assert not words(found) & {"la", "est", "très", "une", "en"}
    assert all(theme.language == "fr" for theme in found)


def test_each_language_gets_its_own_themes() -> None:
    found = themes([(t, "en") for t in ENGLISH] + [(t, "fr") for t in FRENCH])
    assert {theme.language for theme in found} == {"en", "fr"}


def test_no_text_or_only_stop_words_gives_no_theme() -> None:
    assert themes([]) == []
    assert themes([("the and of", "en"), ("le la les", "fr")]) == []


def test_the_same_comment_twice_gives_its_theme_without_a_warning() -> None:
    said = "Mon colis est arrivé en retard"  # a comment, and the complaint offer's copy of it
    found = themes([(said, "en"), (said, "en"), ("The parcel was delivered late", "en")])
    assert {"colis", "retard", "parcel"} <= words(found)
    assert sum(theme.texts for theme in found) == 3
