"""The leadership dashboard: a Telegram Mini App, served by the bot's own web server.

Thin, like `handlers/`: each view checks who is asking (`web.auth`, Telegram's signed
launch data), reads through `services.dashboard` (the ledger, the digest) and renders
a small HTML fragment (`web/templates/`, texts from `messages/`). The page itself is
one static shell (`web/static/`) that fetches those fragments. `bot/web_server.py`
mounts it beside the webhook, /healthz and /metrics.
"""
