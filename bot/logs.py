"""Logging for every run mode: one format, and no secret in any line.

At INFO, httpx logs each Bot API URL, and the bot token is part of that URL; a
failed update is logged with its text, which can be an unused invite code. A
filter on the root handlers rewrites every record before it is formatted: the
message, the exception text and the stack. Uncaught exceptions and warnings are
routed through logging, so they pass the same filter.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable
from types import TracebackType

from domain.invite_codes import redact_codes

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
TOKEN_MASK = "[bot-token]"
SECRET_MASK = "[secret]"
# A Bot API token: the bot's numeric id, a colon, 35 characters (checked with margin).
_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,}:[A-Za-z0-9_-]{30,}")


class RedactSecrets(logging.Filter):
    """Masks bot tokens, the configured secrets and invite-code-shaped text."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: list[str] = []

    def add_secrets(self, secrets: Iterable[str]) -> None:
        # Short values would mask ordinary words; real tokens and secrets are long.
        found = {s for s in secrets if len(s) >= 8} | set(self._secrets)
        self._secrets = sorted(found, key=len, reverse=True)

    def redact(self, text: str) -> str:
        text = _TOKEN.sub(TOKEN_MASK, text)
        for secret in self._secrets:
            text = text.replace(secret, SECRET_MASK)
        return redact_codes(text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep what can be shown
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


REDACTOR = RedactSecrets()


def configure(level: int = logging.INFO) -> RedactSecrets:
    """Log to stderr through the redacting filter; returns it, to add the secrets once known."""
    logging.basicConfig(format=FORMAT)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        if REDACTOR not in handler.filters:
            handler.addFilter(REDACTOR)
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
    return REDACTOR


def _log_uncaught(
    kind: type[BaseException], error: BaseException, traceback: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    logging.getLogger("chibo").critical("uncaught exception", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        _log_uncaught(args.exc_type, args.exc_value, args.exc_traceback)
