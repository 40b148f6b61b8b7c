"""The Slack channel on slack-bolt: DMs, buttons, ``/feedback``, App Home, mapped onto the core.

Usage::

    channel = SlackChannel(engine, WebClient(token=TOKEN, base_url=API), signing_secret=S)
    SlackRequestHandler(channel.app).handle(flask_request)    # HTTP: POST /slack/events
    SocketModeHandler(channel.app, APP_TOKEN).connect()      # or Socket Mode

Bolt verifies each request's signature (401 otherwise) and acknowledges at
once; the listeners below only translate. A DM becomes an :class:`Inbound`
whose event id is Slack's ``event_id``, so a retried delivery
(``X-Slack-Retry-Num``) has its effect once and sends nothing again. Bot
messages (this bot's too) and edits are ignored. A tapped button carries its
choice id and the message's ``ref``. ``/feedback complaint`` and App Home's
"File a complaint" button start the complaint dialogue in the DM, under the
person's name (the dialogue says a complaint is not anonymous). ``/feedback``
opens a modal built from the feedback survey; its submission goes to
:meth:`DialogueEngine.submit`, without any sender when "send anonymously" is
ticked. A named submission is confirmed in the person's DM (straight, never
through the outbox, which would keep their id); an anonymous one is thanked in
the modal itself (``response_action: update``), with a generic thanks: no DM
message at all, so nothing the bot token can read later dates it or says what it
was about. The language follows the person's choice, else their Slack locale; the
profile that gives the locale also gives the timezone, stored once
(:mod:`channels.slack.profiles`). App Home is :mod:`channels.slack.home`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.engine import DialogueEngine
from bot.i18n import choose_language, gettext_for
from bot.messages import Identity, Inbound, Kind, Outbound, Turn
from bot.outbox import enqueue
from bot.submissions import Submission
from bot.text import clean, clean_all
from channels.slack import NAME, wedid
from channels.slack.home import SlackHome
from channels.slack.ideas import SlackIdeas
from channels.slack.profiles import Profiles
from channels.slack.render import (
    CHOICE_ACTION,
    FEEDBACK_CALLBACK,
    OPEN_COMPLAINT_ACTION,
    OPEN_FEEDBACK_ACTION,
    anonymous_thanks,
    answered_blocks,
    feedback_modal,
    modal_answers,
    ref_of,
    unescape,
)
from channels.slack.sender import open_dm, post
from storage import respondents
from storage.vocabulary import DeliveryKind

DOMAIN = "slack"


class _SameToken(logging.Filter):
    """Drop Bolt's notice that ``SLACK_BOT_TOKEN`` is unused: the client carries that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


log = logging.getLogger(__name__)
BOLT_LOG = logging.getLogger("channels.slack.bolt")
BOLT_LOG.addFilter(_SameToken())


SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")  # users U…/W…, channels C…/D…/G…


def slack_id(value: object) -> str | None:
    """Return ``value`` if it is shaped like a Slack id, else None (such an event is ignored)."""
    return value if isinstance(value, str) and SLACK_ID.fullmatch(value) else None


class SlackChannel:
    """A Bolt app whose listeners hand Slack's traffic to the dialogue engine."""

    def __init__(self, engine: DialogueEngine, client: WebClient, *,
                 signing_secret: str | None, feedback_survey: str = "internal",
                 process_before_response: bool = False) -> None:
        self.engine = engine
        self.client = client
        self.feedback_survey = feedback_survey
        self.profiles = Profiles(client)  # locales and timezones (users.info)
        # keys the hash of an anonymous form's view id (Socket Mode has no signing secret)
        self._secret = (signing_secret or client.token or "").encode()
        self.app = App(
            client=client,
            signing_secret=signing_secret,
            token_verification_enabled=False,
            request_verification_enabled=signing_secret is not None,
            process_before_response=process_before_response,
            logger=BOLT_LOG,
        )
        self._register(self.app)

    def _register(self, app: App) -> None:
        """Attach the listeners."""
        app.event("message")(self.on_message)
        app.action(re.compile(f"^{CHOICE_ACTION}"))(self.on_choice)
        app.action("ecoute_open_console")(self._ack_only)
        app.action(OPEN_FEEDBACK_ACTION)(self.on_open_feedback)
        app.action(OPEN_COMPLAINT_ACTION)(self.on_open_complaint)
        app.command("/feedback")(self.on_feedback_command)
        app.view(FEEDBACK_CALLBACK)(self.on_feedback_submitted)
        app.event("app_home_opened")(self.on_home_opened)
        wedid.register(app, self)
        self.ideas = SlackIdeas(self)  # /idea, its modal, App Home's ideas and 👍
        self.ideas.register(app)
        self.home = SlackHome(self)

    def language(self, user: str) -> str:
        """Return the language to speak with ``user``: chosen, else Slack's locale, else default."""
        with self.engine.db.reading() as connection:
            chosen = respondents.chosen_language(connection, NAME, user)
        hint = None if chosen else self.profiles.locale(user)  # no Slack call when they chose
        return choose_language(chosen, hint, self.engine.settings.default_language)

    # -- direct messages ---------------------------------------------------------------

    def on_message(self, event: dict[str, Any], body: dict[str, Any],
                   context: BoltContext) -> None:
        """Answer a person's DM; ignore bots, edits, deletions and channel messages."""
        user = slack_id(event.get("user"))
        if (event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id")
                or not user or user == context.bot_user_id):
            return
        inbound = Inbound(Identity(NAME, user), event_id=body.get("event_id"),
                          text=clean(unescape(event.get("text") or "")),
                          locale=self.profiles.locale(user))
        self.deliver(event["channel"], self._handle(inbound), inbound.event_id, user)

    def on_choice(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                  respond: Respond) -> None:
        """Hand a tapped button to the engine and show what was chosen in place of the buttons."""
        ack()
        user = slack_id((body.get("user") or {}).get("id"))
        if user is None or not isinstance(action.get("value"), str):
            return  # not a person's tap Écoute made: nothing to apply
        channel = (body.get("channel") or {}).get("id") or open_dm(self.client, user)
        inbound = Inbound(Identity(NAME, user), choice_id=action["value"],
                          ref=ref_of(action.get("block_id", "")),
                          locale=self.profiles.locale(user),
                          event_id=f"action:{channel}:{action.get('action_ts')}")
        turn = self._handle(inbound)
        if turn.duplicate:
            return
        stale = bool(turn.messages) and turn.messages[0].kind is Kind.NOTICE
        message = body.get("message") or {}
        if not stale and message:
            label = (action.get("text") or {}).get("text") or action["value"]
            language = turn.messages[0].language if turn.messages else "en"
            original = _first_text(message)
            try:
                respond(text=original, blocks=answered_blocks(original, label, language),
                        replace_original=True)
            except OSError as error:  # an expired or unreachable response_url: not fatal
                # the error's text may quote the response_url, which works as a credential
                log.warning("slack: could not update the tapped message: %s",
                            type(error).__name__)
        self.deliver(channel, turn, inbound.event_id, user)

    def _handle(self, inbound: Inbound) -> Turn:
        """Hand an inbound to the engine, then keep the person's Slack timezone (once)."""
        turn = self.engine.handle(inbound)
        if not turn.duplicate:  # a replayed event changes nothing
            self._keep_timezone(inbound.sender.external_id)
        return turn

    def _keep_timezone(self, user: str) -> None:
        """Store the timezone Slack gave for ``user`` if their row has none (see ``profiles``)."""
        zone = self.profiles.unsettled_zone(user)  # None: none read, or stored already
        if zone is None:
            return
        with self.engine.db.transaction() as session:
            known = respondents.set_timezone(session, NAME, user, zone, keep=True)
        if known:
            self.profiles.settle(user)

    def deliver(self, channel: str, turn: Turn, event_id: str | None = None,
                user: str | None = None) -> None:
        """Post a turn's replies, unless they were delivered the first time.

        The turn is already stored: replies Slack refused (after the client waited
        out any 429) go to the outbox, keyed by the event, instead of being lost.
        They carry their person, so "stop" and "forget" apply to them; a person
        this very turn erased has nobody to carry them: they are dropped.
        """
        if turn.duplicate:
            return
        for number, message in enumerate(turn.messages):
            try:
                post(self.client, channel, message)
            except (SlackApiError, SlackClientError, OSError) as error:
                if event_id is None:
                    raise
                self._hand_over(channel, turn, number, event_id, user, error)
                return

    def _hand_over(self, channel: str, turn: Turn, first: int, event_id: str,
                   user: str | None, error: Exception) -> None:
        """Give the outbox the replies Slack refused, tied to the person they answer."""
        respondent_id = self._respondent_id(user)
        if respondent_id is None:
            log.warning("slack: replies Slack refused to a forgotten person are dropped: %s",
                        type(error).__name__)
            return
        log.warning("slack: replies handed to the outbox: %s", type(error).__name__)
        for later, rest in enumerate(turn.messages[first:], first):
            enqueue(self.engine.db, key=f"slack-reply:{event_id}:{later}", kind=DeliveryKind.REPLY,
                    channel=NAME, message=rest, address=channel, respondent_id=respondent_id,
                    now=self.engine.clock())

    def _respondent_id(self, user: str | None) -> int | None:
        """Return the stored id of a Slack user, or None when they are not (or no longer) known."""
        if user is None:
            return None
        with self.engine.db.reading() as connection:
            respondent, _active = respondents.find_respondent(connection, NAME, user)
        return respondent.id if respondent is not None else None

    # -- /feedback and its modal -----------------------------------------------------------

    def on_feedback_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Open the feedback modal; ``/feedback WORD [ARG]`` is a command for the engine.

        ``/feedback stop``, ``/feedback language fr``, ``/feedback help`` or
        ``/feedback nps`` (a survey's key: start it) answer in the person's DM.
        """
        ack()
        user = slack_id(body.get("user_id"))
        if user is None:
            return  # not a Slack user id: nobody to answer
        words = clean(body.get("text") or "").split()
        if not words:
            self._open_modal(body["trigger_id"], user, respond)
            return
        command, argument = words[0].casefold(), " ".join(words[1:]) or None
        if command in self.engine.catalog:
            command, argument = "start", command
        inbound = Inbound(Identity(NAME, user), event_id=f"command:{body['trigger_id']}",
                          command=command, argument=argument, locale=self.profiles.locale(user))
        self.deliver(open_dm(self.client, user), self._handle(inbound), inbound.event_id,
                     user)

    def on_open_feedback(self, ack: Ack, body: dict[str, Any]) -> None:
        """Open the feedback modal from App Home's button."""
        ack()
        user = slack_id((body.get("user") or {}).get("id"))
        if user is not None:
            self._open_modal(body["trigger_id"], user, None)

    def on_open_complaint(self, ack: Ack, body: dict[str, Any]) -> None:
        """Start the complaint dialogue in the person's DM from App Home's button (named)."""
        ack()
        user = slack_id((body.get("user") or {}).get("id"))
        if user is None:
            return
        inbound = Inbound(Identity(NAME, user), event_id=f"complaint:{body['trigger_id']}",
                          command="complaint", locale=self.profiles.locale(user))
        self.deliver(open_dm(self.client, user), self._handle(inbound), inbound.event_id,
                     user)

    def _open_modal(self, trigger_id: str, user: str, respond: Respond | None) -> None:
        """Open the modal in the person's language (or say the survey is missing)."""
        language = self.language(user)
        survey = self.engine.catalog.get(self.feedback_survey)
        if survey is None:
            if respond is not None:
                _ = gettext_for(language, DOMAIN)
                respond(text=_("Feedback forms are not set up yet: please tell your admin."),
                        response_type="ephemeral")
            return
        self.client.views_open(trigger_id=trigger_id, view=feedback_modal(survey, language))

    def on_feedback_submitted(self, ack: Ack, body: dict[str, Any],
                              view: dict[str, Any]) -> None:
        """Store a submitted modal (errors go back beside their fields), then confirm in DM."""
        form = modal_answers(view)
        user = slack_id((body.get("user") or {}).get("id"))
        if user is None:  # a form from nobody Slack names: nothing to store or thank
            ack()
            return
        submission = Submission(
            channel=NAME, survey=form.survey, answers=clean_all(form.answers),
            sender=None if form.anonymous else Identity(NAME, user),
            event_id=self._submission_id(view, form.anonymous), language=form.language,
        )
        try:
            result = self.engine.submit(submission)
        except KeyError:
            _ = gettext_for(form.language, DOMAIN)
            ack(response_action="errors", errors={
                _first_input(view): _("This form is out of date: open it again.")})
            return
        if result.errors:
            ack(response_action="errors", errors=dict(result.errors))
            return
        if form.anonymous:  # thanked in the modal: no trace in the DM
            ack(response_action="update", view=anonymous_thanks(form.language))
            return
        ack()
        if not result.duplicate:
            self._keep_timezone(user)
            self._confirm(user, result.messages)

    def _submission_id(self, view: dict[str, Any], anonymous: bool) -> str:
        """Return the submission's event id: Slack's view id, keyed-hashed when anonymous."""
        view_id = str(view.get("id") or "")
        if not anonymous:
            return f"view:{view_id}"
        digest = hmac.new(self._secret, view_id.encode(), hashlib.sha256).hexdigest()
        return f"anon:{digest[:40]}"

    def _confirm(self, user: str, messages: tuple[Outbound, ...]) -> None:
        """Post a named submission's thanks to the person's DM (straight, not via the outbox)."""
        channel = open_dm(self.client, user)
        for message in messages:
            post(self.client, channel, message)

    def on_home_opened(self, event: dict[str, Any]) -> None:
        """Publish App Home for the person who opened it (ideas call it after a 👍)."""
        self.home.on_opened(event)

    @staticmethod
    def _ack_only(ack: Ack) -> None:
        """Acknowledge a button that only opens a link."""
        ack()


def _first_input(view: dict[str, Any]) -> str:
    """Return the first input block's id (where a form-wide error can be shown)."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input":
            return str(block.get("block_id"))
    return "service"


def _first_text(message: dict[str, Any]) -> str:
    """Return the text of a message's first section (the question), else its fallback."""
    for block in message.get("blocks") or []:
        text = (block.get("text") or {}).get("text") if block.get("type") == "section" else None
        if text:
            return unescape(str(text))
    return str(message.get("text") or "")
