"""The bot's own Telegram username, as Telegram knows it (getMe), for invite links.

BOT_USERNAME may be set to skip the call; otherwise the token tells who the bot
is, so links never point at another bot.
"""

from __future__ import annotations

import asyncio

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.settings import Settings


class IdentityError(Exception):
    """Telegram could not say who the bot is; `str()` is one line for the admin."""


def bot_username(settings: Settings) -> str | None:
    """BOT_USERNAME, or the username getMe returns for TELEGRAM_BOT_TOKEN; None without either."""
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if not settings.telegram_bot_token:
        return None
    return asyncio.run(_get_me(settings))


async def _get_me(settings: Settings) -> str:
    bot = Bot(
        settings.telegram_bot_token,
        base_url=settings.api_base_url,
    )
    try:
        async with bot:
            return bot.username
    except InvalidToken as error:
        raise IdentityError(
            f"Telegram không nhận TELEGRAM_BOT_TOKEN ({error}): lấy lại token từ @BotFather."
        ) from None
    except NetworkError as error:
        raise IdentityError(no_network_line(settings, error)) from None
    except TelegramError as error:
        raise IdentityError(f"Telegram trả lời lỗi khi hỏi tên bot: {error}.") from None


def no_network_line(settings: Settings, error: Exception) -> str:
    where = settings.bot_api_base_url or "https://api.telegram.org"
    return (
        f"Không kết nối được Telegram ({where}): {error}. "
        "Kiểm tra kết nối mạng của máy chủ (hoặc BOT_API_BASE_URL) rồi chạy lại."
    )
