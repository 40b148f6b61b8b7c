"""One adapter per platform; each only translates between its platform and the core.

Each platform is one folder (``telegram/``, ``slack/``, ``widget/``) or module
(``console``); :mod:`channels.registry` names them all and says what each adds
to a running process. ``text_fallbacks`` holds what every adapter without
buttons shares: choices as numbered lines.
"""
