"""The yardstick: the NPS bot a developer would write with a plain ConversationHandler.

Serve it like Écoute (``gunicorn -w 2 'bench.telegram_yardstick:create_app()'``
with ``DATABASE_URL``, ``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL``). It
holds the same dialogue with the same Telegram calls: the question with a 0-10
keyboard; a tap answered, its message edited, the "why" asked; the reason
stored, thanks and a consent question. Its webhook follows the FIELD-NOTES:
one loop per worker process, updates handed over with
``run_coroutine_threadsafe``. A ConversationHandler keeps its state in
memory, which two workers cannot share, so the state lives in a table and is
loaded into the handler before each update (``_conversations`` is PTB's
private mapping: the least a developer must do to make it work at all).
"""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from datetime import UTC, datetime
from typing import Any

from flask import Flask, abort, jsonify, request
from sqlalchemy import DateTime, Integer, String, Text, delete, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from storage.db import Database

SCORE, WHY = range(2)


class Base(DeclarativeBase):
    """The yardstick's own tables."""


class State(Base):
    """Where each chat stands in its conversation (shared by the workers)."""

    __tablename__ = "yardstick_state"
    chat_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    state: Mapped[int] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)


class Response(Base):
    """One finished NPS answer."""

    __tablename__ = "yardstick_response"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Bot:
    """The ConversationHandler bot on one database."""

    def __init__(self, database: Database) -> None:
        self.db = database
        self.conversation = self._conversation()

    def _conversation(self) -> ConversationHandler:  # type: ignore[type-arg]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB's per_message advice
            return ConversationHandler(
                entry_points=[CommandHandler("start", self.start)],
                states={SCORE: [CallbackQueryHandler(self.score)],
                        WHY: [MessageHandler(filters.TEXT & ~filters.COMMAND, self.why)]},
                fallbacks=[CommandHandler("start", self.start)],
            )

    def _save(self, chat_id: int, state: int, score: int | None = None) -> None:
        with self.db.transaction() as session:
            session.execute(delete(State).where(State.chat_id == chat_id))
            session.execute(insert(State).values(chat_id=chat_id, state=state, score=score))

    async def load(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Put this chat's stored state into the handler (group -1, before it runs)."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None:
            return
        with self.db.transaction() as session:
            row = session.get(State, chat.id)
            state = row.state if row else None
        key = (chat.id, user.id)
        if state is None:
            self.conversation._conversations.pop(key, None)
        else:
            self.conversation._conversations[key] = state

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        chat = update.effective_chat
        assert chat is not None
        buttons = [InlineKeyboardButton(str(n), callback_data=str(n)) for n in range(11)]
        await context.bot.send_message(
            chat.id, "How likely are you to recommend us to a friend or colleague?",
            reply_markup=InlineKeyboardMarkup([buttons[:6], buttons[6:]]))
        self._save(chat.id, SCORE)
        return SCORE

    async def score(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        query = update.callback_query
        assert query is not None and query.message is not None
        score = int(query.data or 0)
        self._save(query.message.chat.id, WHY, score)
        await query.answer()
        await query.edit_message_text(f"{query.message.text}\n\n✅ {score}")  # type: ignore[union-attr]
        await context.bot.send_message(query.message.chat.id, "What do you like most about us?")
        return WHY

    async def why(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        message = update.effective_message
        assert message is not None
        with self.db.transaction() as session:
            row = session.get(State, message.chat.id)
            session.execute(insert(Response).values(
                chat_id=message.chat.id, score=row.score if row else 0, reason=message.text,
                language="en", created_at=datetime.now(UTC)))
            session.execute(delete(State).where(State.chat_id == message.chat.id))
        await context.bot.send_message(message.chat.id, "Thank you for your feedback!")
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes"),
                                          InlineKeyboardButton("No", callback_data="no")]])
        await context.bot.send_message(message.chat.id, "May we message you here?",
                                       reply_markup=keyboard)
        return ConversationHandler.END


class _Runtime:
    """One asyncio loop and Application per worker process, made on first use."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.lock = threading.Lock()
        self.pid: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app: Application | None = None  # type: ignore[type-arg]

    def get(self) -> tuple[asyncio.AbstractEventLoop, Application]:  # type: ignore[type-arg]
        with self.lock:
            if self.pid != os.getpid() or self.loop is None or self.app is None:
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, daemon=True).start()
                api = os.environ["TELEGRAM_API_BASE_URL"]
                app = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"])
                       .base_url(f"{api}/bot").request(HTTPXRequest(connection_pool_size=8))
                       .updater(None).build())
                app.add_handler(TypeHandler(Update, self.bot.load), group=-1)
                app.add_handler(self.bot.conversation)
                asyncio.run_coroutine_threadsafe(app.initialize(), loop).result(30)
                self.pid, self.loop, self.app = os.getpid(), loop, app
            return self.loop, self.app


def create_app() -> Flask:
    """Return the yardstick's Flask app on ``DATABASE_URL``."""
    database = Database(os.environ["DATABASE_URL"])
    Base.metadata.create_all(database.engine)
    runtime = _Runtime(Bot(database))
    secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
    app = Flask(__name__)

    @app.post("/telegram/webhook")
    def webhook() -> Any:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token", "") != secret:
            abort(403)
        loop, application = runtime.get()
        update = Update.de_json(request.get_json(force=True), application.bot)
        asyncio.run_coroutine_threadsafe(application.process_update(update), loop).result(25)
        return jsonify(ok=True)

    return app
