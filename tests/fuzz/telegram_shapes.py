"""Telegram updates in their real shapes (Bot API ``Update``), filled with hostile values.

Messages with text, commands and ``/start`` deep links, taps (``callback_query``
with well-formed, shortened or forged callback data), edits, photos and stickers,
group and channel posts, from a few people (so dialogues go deep and update ids
repeat, as Telegram's retries do) and from strangers with absurd ids.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.fuzz.hostile import corrupted, texts

BOT = {"id": 1, "is_bot": True, "first_name": "Écoute", "username": "ecoute_bot"}
COMMANDS = ["start", "feedback", "status", "language", "stop", "forget", "help", "restart",
            "nps", "unknown", "start@ecoute_bot", "START"]
people = st.one_of(st.sampled_from([42, 43, 44]), st.integers(-(2**63), 2**63),
                   st.integers(-(2**70), 2**70))
languages = st.one_of(st.none(), st.sampled_from(["en", "fr", "fr-CA", "de", "pt-br"]), texts(40))
update_ids = st.one_of(st.integers(0, 40), st.integers(0, 2**31), st.integers(-(2**70), 2**70),
                       st.just(10**150))


@st.composite
def user(draw: st.DrawFn, person: int) -> dict[str, Any]:
    """Return a Telegram ``User``: mostly a person, sometimes a bot."""
    found: dict[str, Any] = {"id": person, "is_bot": draw(st.integers(0, 9)) == 0,
                             "first_name": draw(texts(64))}
    language = draw(languages)
    if language is not None:
        found["language_code"] = language
    if draw(st.booleans()):
        found["username"] = draw(texts(32))
    return found


@st.composite
def chat(draw: st.DrawFn, person: int) -> dict[str, Any]:
    """Return a ``Chat``: the person's private chat, or a group, supergroup or channel."""
    kind = draw(st.sampled_from(["private"] * 6 + ["group", "supergroup", "channel"]))
    if kind == "private":
        return {"id": person, "type": "private", "first_name": draw(texts(64))}
    return {"id": draw(st.integers(-(2**52), -1)), "type": kind, "title": draw(texts(64))}


@st.composite
def content(draw: st.DrawFn) -> dict[str, Any]:
    """Return what a message holds: text, a command, a deep link, a photo, a sticker..."""
    kind = draw(st.sampled_from(["text", "text", "command", "deep_link", "photo", "sticker",
                                 "location", "nothing"]))
    if kind == "text":
        return {"text": draw(texts())}
    if kind in ("command", "deep_link"):
        word = "/start" if kind == "deep_link" else "/" + draw(st.sampled_from(COMMANDS))
        argument = draw(st.one_of(
            st.sampled_from(["", "nps", "csat", "nps__shop-12", "internal__x", "__", "nps__"]),
            st.builds("{}__{}".format, st.sampled_from(["nps", "ces"]), texts(200)),
            texts()))
        text = f"{word} {argument}".rstrip() if argument else word
        return {"text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(word)}]}
    if kind == "photo":
        size = {"file_id": draw(texts(20)), "file_unique_id": "u1", "width": 90, "height": 90}
        found: dict[str, Any] = {"photo": [size]}
        if draw(st.booleans()):
            found["caption"] = draw(texts())
        return found
    if kind == "sticker":
        return {"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular",
                            "width": 512, "height": 512, "is_animated": False,
                            "is_video": False, "emoji": draw(texts(8))}}
    if kind == "location":
        return {"location": {"latitude": draw(st.floats(-90, 90)),
                             "longitude": draw(st.floats(-180, 180))}}
    return {}


@st.composite
def message(draw: st.DrawFn, person: int) -> dict[str, Any]:
    """Return a ``Message`` written by ``person`` (or by a bot) in one of their chats."""
    return {"message_id": draw(st.integers(1, 2**31)), "date": draw(st.integers(0, 2**33)),
            "chat": draw(chat(person)), "from": draw(user(person)), **draw(content())}


@st.composite
def callback_data(draw: st.DrawFn) -> str:
    """Return callback data as the bot writes it (``r|ref|choice``, ``h|…``, ``n|…``) or forged."""
    choices = st.sampled_from(["0", "5", "7", "10", "yes", "no", "stale", "answer:skip",
                               "menu:nps", "lang:fr"])
    refs = st.one_of(st.sampled_from(["", "abc:score"]), texts(40))
    return draw(st.one_of(
        st.builds("r|{}|{}".format, refs, choices),
        st.builds("h|{}|{}".format, st.text("0123456789abcdef", min_size=10, max_size=10),
                  choices),
        st.builds("n|{}|{}".format, texts(12), st.one_of(st.integers(-3, 30).map(str),
                                                          texts(10))),
        choices, texts(64)))


@st.composite
def callback_query(draw: st.DrawFn, person: int) -> dict[str, Any]:
    """Return a ``CallbackQuery``: a tap on a button of a message the bot sent."""
    data = draw(callback_data())
    shown: dict[str, Any] = {
        "message_id": draw(st.integers(1, 2**31)), "date": 1_764_000_000,
        "chat": draw(chat(person)), "from": BOT, "text": draw(texts(100)),
        "reply_markup": {"inline_keyboard": [[{"text": draw(texts(20)), "callback_data": data}]]},
    }
    query: dict[str, Any] = {"id": str(draw(st.integers(0, 2**63))), "from": draw(user(person)),
                             "chat_instance": draw(texts(20)), "data": data}
    if draw(st.integers(0, 9)):
        query["message"] = shown
    return query


@st.composite
def update(draw: st.DrawFn) -> dict[str, Any]:
    """Return one ``Update``: a message (most often), a tap, an edit, a channel post."""
    person = draw(people)
    kind = draw(st.sampled_from(["message"] * 5 + ["callback_query"] * 3 +
                                ["edited_message", "channel_post", "my_chat_member"]))
    found: dict[str, Any] = {"update_id": draw(update_ids)}
    if kind == "callback_query":
        found[kind] = draw(callback_query(person))
    elif kind == "my_chat_member":
        found[kind] = {"chat": draw(chat(person)), "from": draw(user(person)), "date": 1,
                       "old_chat_member": {"status": "member", "user": BOT},
                       "new_chat_member": {"status": "kicked", "user": BOT,
                                           "until_date": 0}}
    else:
        found[kind] = draw(message(person))
    return found


# Values are hostile but of the types Telegram sends: an update whose message is not an
# object answers 500 (tests/fuzz/test_findings.py); fuzz with ``wrong_types`` once fixed.
updates = update()
wrong_types = corrupted(update())
