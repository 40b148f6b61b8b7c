"""One adapter per platform; each only translates between its platform and the core.

The registry below names every channel Écoute speaks; the wiring
(:mod:`ecoute.wiring`) builds the ones that are configured.
"""

from __future__ import annotations

CHANNELS: dict[str, str] = {
    "console": "channels.console",
    "telegram": "channels.telegram",
    "slack": "channels.slack",
    "web": "channels.web",
}
