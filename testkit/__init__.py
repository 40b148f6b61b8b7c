"""What the tests and the benchmarks share, so neither imports the other.

``emulators/`` holds the loopback Telegram Bot API and Slack Web API servers the
real client libraries talk to; ``stores`` makes throw-away SQLite files and
PostgreSQL schemas. Not part of the installed package.
"""
