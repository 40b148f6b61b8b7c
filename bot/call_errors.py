"""Why a call for participants cannot be made as written, in French and English.

:class:`CallError` carries a stable :class:`Refusal` and what it concerns;
``str()`` is the English sentence (the REST API's messages are English),
:func:`explain` says it in the staff member's language (the console).
"""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import gettext_for

DOMAIN = "console"


class Refusal(StrEnum):
    """What is wrong with a call as written."""

    AUDIENCE_SHAPE = "audience_shape"
    UNKNOWN_AUDIENCE_KEYS = "unknown_audience_keys"
    BAD_DAYS = "bad_days"
    BAD_BAND = "bad_band"
    BAD_WORD = "bad_word"
    BAD_FLAG = "bad_flag"
    NO_AUDIENCE = "no_audience"
    NO_TITLE = "no_title"
    NO_DESCRIPTION = "no_description"
    LONG_TITLE = "long_title"
    LONG_DESCRIPTION = "long_description"
    BAD_KIND = "bad_kind"
    BAD_LOCATION = "bad_location"
    BAD_PLACES = "bad_places"
    NOT_WHOLE_PLACES = "not_whole_places"
    PAST_CLOSING = "past_closing"
    BAD_MOMENT = "bad_moment"


class CallError(ValueError):
    """A call that cannot be made as written; ``str()`` is English, :func:`explain` any."""

    def __init__(self, refusal: Refusal, **detail: str | int) -> None:
        super().__init__(explain(refusal, "en", **detail))
        self.refusal = refusal
        self.detail = detail


def explain(refusal: Refusal, language: str, **detail: str | int) -> str:
    """Return the sentence saying which field is wrong and why, in ``language``."""
    _ = gettext_for(language, DOMAIN)
    moments = {"happens_at": _("When (UTC)"), "closes_at": _("Closes (UTC)")}
    if refusal is Refusal.BAD_MOMENT:
        detail = {**detail, "field": moments.get(str(detail.get("field")), detail.get("field"))}
    return {
        Refusal.AUDIENCE_SHAPE: _("audience must be an object"),
        Refusal.UNKNOWN_AUDIENCE_KEYS: _("audience has unknown keys: {names}"),
        Refusal.BAD_DAYS: _("audience.days must be a whole number of days from 1 to 3660"),
        Refusal.BAD_BAND: _("audience.band must be detractor, passive or promoter"),
        Refusal.BAD_WORD: _("audience.{key} must be a text of at most {longest} characters"),
        Refusal.BAD_FLAG: _("audience.{key} must be true or false"),
        Refusal.NO_AUDIENCE: _("choose an audience: a filter, the panel or past participants"),
        Refusal.NO_TITLE: _("title needs a text in French or English (keys fr, en)"),
        Refusal.NO_DESCRIPTION: _("description needs a text in French or English (keys fr, en)"),
        Refusal.LONG_TITLE: _("title is longer than {longest} characters"),
        Refusal.LONG_DESCRIPTION: _("description is longer than {longest} characters"),
        Refusal.BAD_KIND: _("kind must be product_test, focus_group, interview or other"),
        Refusal.BAD_LOCATION: _("location must say where, in at most 255 characters"),
        Refusal.BAD_PLACES: _("places must be from 1 to {most}"),
        Refusal.NOT_WHOLE_PLACES: _("places must be a whole number"),
        Refusal.PAST_CLOSING: _("the closing date must be in the future"),
        Refusal.BAD_MOMENT: _("{field} must be a date and time"),
    }[refusal].format(**detail)
