"""Écoute's core: the channel-agnostic dialogue engine, surveys, commands and metrics.

Nothing here knows a messaging platform, HTTP or Flask: adapters in ``channels/``
translate platform traffic into :mod:`bot.messages` and back.
"""
