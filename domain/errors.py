"""Error types raised by the domain rules.

`UserInputError` messages are short, polite Vietnamese sentences that a handler
may show in the chat as they are; everything else is for logs and admins.
"""

from __future__ import annotations


class UserInputError(ValueError):
    """Something the user typed or chose cannot be accepted; `str(err)` says what to do."""


class DateParseError(UserInputError):
    """A date, time or recurrence typed as free text was not understood or not allowed.

    `reason` is the message without its examples, `examples` the answers it suggests
    (each accepted where it was asked), for texts that show them their own way.
    """

    def __init__(
        self, message: str, *, reason: str | None = None, examples: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.reason = reason or message
        self.examples = examples


class RatingInputError(UserInputError):
    """A quality-rating answer or meeting fact is out of range or missing."""


class PolicyError(ValueError):
    """The policy YAML file is malformed or inconsistent (an admin/deploy problem)."""
