"""Running python-telegram-bot inside Écoute's processes: one asyncio loop per process.

Usage::

    polling = TelegramPolling(settings.telegram, engine)   # a service: start()/stop()
    webhook = TelegramWebhook(settings.telegram, engine)   # webhook.handle(update_json)
    sender = TelegramSender(settings.telegram)             # the outbox's sender

The loop runs in a daemon thread, created lazily on first use and again after a
fork (gunicorn's workers each get their own; nothing is created at import, so a
``--preload``-ed master never owns it). Synchronous callers (Flask views, the
outbox dispatcher, the CLI) hand coroutines to it with :func:`run`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
import warnings
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.request import HTTPXRequest

from bot.engine import DialogueEngine
from bot.messages import Outbound
from bot.sending import PermanentError, RetryLater, TransientError
from channels.telegram.adapter import (
    ALLOWED_UPDATES,
    CURRENT,
    Outcome,
    TelegramAdapter,
    acknowledged,
    bot_commands,
    in_background,
)
from channels.telegram.render import send_call
from channels.telegram.settings import TelegramSettings

T = TypeVar("T")
CONNECTIONS = 64  # HTTP connections of the outbox's Bot: at least ECOUTE_OUTBOX_IN_FLIGHT
log = logging.getLogger(__name__)

_lock = threading.Lock()
_state: tuple[int, asyncio.AbstractEventLoop] | None = None


def process_loop() -> asyncio.AbstractEventLoop:
    """Return this process's Telegram loop, starting its thread on first use."""
    global _state
    with _lock:
        if _state is not None and _state[0] == os.getpid():
            return _state[1]
        loop = asyncio.new_event_loop()
        threading.Thread(target=loop.run_forever, name="telegram-loop", daemon=True).start()
        _state = (os.getpid(), loop)
        return loop


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    """Run a coroutine on the process's loop and wait for its result."""
    return asyncio.run_coroutine_threadsafe(coroutine, process_loop()).result(timeout)


def build_bot(settings: TelegramSettings) -> Bot:
    """Return a Bot talking to the configured Bot API server."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    api = settings.api_base_url
    request = HTTPXRequest(connection_pool_size=CONNECTIONS)  # the outbox sends several at once
    return Bot(settings.token, base_url=f"{api}/bot", base_file_url=f"{api}/file/bot",
               request=request)


def build_application(settings: TelegramSettings, engine: DialogueEngine, *,
                      default_language: str = "en", polling: bool) -> Application:  # type: ignore[type-arg]
    """Return an Application with the adapter's handlers (an updater only for polling)."""
    if not settings.token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    api = settings.api_base_url
    builder = (
        Application.builder().token(settings.token).base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    TelegramAdapter(engine, default_language, engine_in_loop=not polling).install(application)
    return application


async def register_commands(bot: Bot) -> None:
    """Show the commands in Telegram's menu, in English and in French."""
    await bot.set_my_commands(bot_commands("en"))
    await bot.set_my_commands(bot_commands("fr"), language_code="fr")


class TelegramWebhook:
    """Applies updates posted to the webhook, on this process's loop."""

    def __init__(self, settings: TelegramSettings, engine: DialogueEngine, *,
                 default_language: str = "en") -> None:
        self.settings = settings
        self.engine = engine
        self.default_language = default_language
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._application: Application | None = None  # type: ignore[type-arg]
        self._late: set[concurrent.futures.Future[None]] = set()  # turns past their webhook

    def application(self) -> Application:  # type: ignore[type-arg]
        """Return this process's initialised Application (built on first use)."""
        with self._lock:
            if self._application is None or self._pid != os.getpid():
                application = build_application(self.settings, self.engine, polling=False,
                                                default_language=self.default_language)
                run(application.initialize())
                self._application, self._pid = application, os.getpid()
            return self._application

    def handle(self, data: dict[str, Any], timeout: float = 25.0) -> Outcome:
        """Apply one update (a JSON object) and return what came of it."""
        application = self.application()
        update = Update.de_json(data, application.bot)
        outcome = Outcome()

        async def process() -> None:
            CURRENT.set(outcome)
            await application.process_update(update)
            if outcome.late and outcome.reply is not None:  # nobody waits for the answer
                reply, outcome.reply = outcome.reply, None
                in_background(reply.perform(application.bot))  # drained like acknowledgements

        future = asyncio.run_coroutine_threadsafe(process(), process_loop())
        try:
            future.result(timeout)
        except TimeoutError:
            outcome.late = True  # read by process() after the turn, on the loop
            if not future.done():
                self._late.add(future)
                future.add_done_callback(self._late.discard)
                raise
        return outcome

    def drain(self, timeout: float = 25.0) -> None:
        """Wait for the turns that outlived their webhook, then the acknowledgements."""
        for late in list(self._late):
            late.result(timeout)
        run(acknowledged(), timeout)

    def close(self) -> None:
        """Release the HTTP connections."""
        with self._lock:
            if self._application is not None and self._pid == os.getpid():
                run(self._application.shutdown())
            self._application = None


class TelegramPolling:
    """Receives updates by long polling (no public URL needed): a start()/stop() service."""

    def __init__(self, settings: TelegramSettings, engine: DialogueEngine, *,
                 default_language: str = "en", poll_timeout: int = 10) -> None:
        self.application = build_application(settings, engine, polling=True,
                                              default_language=default_language)
        self.poll_timeout = poll_timeout

    def start(self) -> None:
        """Register the commands and start polling in the background (unless a webhook is set)."""
        if run(self._start()):
            log.info("telegram: polling as @%s", self.application.bot.username)

    async def _start(self) -> bool:
        application = self.application
        await application.initialize()
        hook = await application.bot.get_webhook_info()
        if hook.url:  # polling would delete the webhook another process serves
            log.warning("telegram: a webhook is set, so this process does not poll; run "
                        "`ecoute telegram delete-webhook` to poll instead")
            return False
        await register_commands(application.bot)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=timedelta(seconds=self.poll_timeout),
            allowed_updates=list(ALLOWED_UPDATES),
        )
        await application.start()
        return True

    def drain(self, timeout: float = 25.0) -> None:
        """Wait until every update fetched and confirmed so far has been handled."""
        run(self.application.update_queue.join(), timeout)

    def stop(self) -> None:
        """Stop polling and release the connections."""
        run(self._stop())

    async def _stop(self) -> None:
        application = self.application
        if application.updater is not None and application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()


class TelegramSender:
    """The outbox's sender: one sendMessage, its errors mapped to the outbox's."""

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._bot: tuple[int, Bot] | None = None

    def bot(self) -> Bot:
        """Return this process's initialised Bot."""
        with self._lock:
            if self._bot is None or self._bot[0] != os.getpid():
                bot = build_bot(self.settings)
                run(bot.initialize())
                self._bot = (os.getpid(), bot)
            return self._bot[1]

    def send(self, address: str, message: Outbound) -> None:
        """Send ``message`` to the chat ``address`` or raise the outbox's error."""
        call = send_call(int(address), message)
        try:
            run(call.perform(self.bot()))
        except RetryAfter as wait:
            raise RetryLater(_seconds(wait), "telegram asked to slow down") from wait
        except Forbidden as gone:
            raise PermanentError(f"telegram: {gone.message}") from gone
        except BadRequest as bad:
            unreachable = "chat not found" in bad.message.casefold()
            raise PermanentError(f"telegram: {bad.message}", unreachable=unreachable) from bad
        except (TelegramError, TimeoutError) as error:
            raise TransientError(f"telegram: {type(error).__name__}: {error}") from error

    def close(self) -> None:
        """Release the HTTP connections."""
        with self._lock:
            if self._bot is not None and self._bot[0] == os.getpid():
                run(self._bot[1].shutdown())
            self._bot = None


def _seconds(wait: RetryAfter) -> float:
    """Read RetryAfter's delay whether PTB gives seconds or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = wait.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def telegram_sender(settings: TelegramSettings) -> TelegramSender | None:
    """Return the outbox's Telegram sender, or None when no token is set."""
    return TelegramSender(settings) if settings.token else None


def telegram_services(settings: TelegramSettings, engine: DialogueEngine,
                      default_language: str = "en") -> list[TelegramPolling]:
    """Return the polling service when a token is set and no webhook URL is configured."""
    if not settings.token or settings.webhook_url:
        return []
    return [TelegramPolling(settings, engine, default_language=default_language)]
