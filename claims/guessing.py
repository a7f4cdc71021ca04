"""Throttling of code guessing.

Only wrong codes count. Each account may make 10 wrong guesses in 15 minutes.
A whole venue shares one address, so the address budget is far looser and
stops only accounts that have themselves guessed wrong: an attendee typing the
right code is never blocked by someone else's guessing on another account.
"""
from __future__ import annotations

import math
import time

from core.ratelimit import Budget

PER_ACCOUNT = Budget("wrong-code-account", "10 per 15 minutes")
PER_ADDRESS = Budget("wrong-code-address", "300 per 15 minutes")


class Throttled(Exception):
    def __init__(self, retry_at: float):
        super().__init__("too many wrong codes")
        self.retry_at = retry_at

    def wait_words(self) -> str:
        minutes = max(1, math.ceil((self.retry_at - time.time()) / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check(user_id: int, address: str) -> None:
    """Raise Throttled when this account may not try another code now.

    One look-up for an account that has not guessed wrong (the whole room at the end of a
    session); the address is asked about only for accounts that have.
    """
    account = str(user_id)
    used, account_resets_at = PER_ACCOUNT.usage(account)
    if used == 0:
        return
    if used >= PER_ACCOUNT.item.amount:
        raise Throttled(account_resets_at)
    if PER_ADDRESS.exhausted(address):
        raise Throttled(max(PER_ADDRESS.resets_at(address), account_resets_at))


def wrong_guess(user_id: int, address: str) -> None:
    PER_ACCOUNT.spend(str(user_id))
    PER_ADDRESS.spend(address)
