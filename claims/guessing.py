"""Throttling of code guessing: it stops guessers, never a venue.

Only codes that no session has count, and they count in two ways:

- every one of them counts for the account: 10 in 15 minutes, then the account waits;
- one that is not a slip of a code open now (`codes.resolve.is_a_slip`) counts for the address too:
  20 an hour, then every account on that address waits.

A venue's 3,000 phones share one address and mistype the code on the screen: those slips cost the
venue nothing, so a room full of typos never stops the room. A guesser's codes are not slips of
anything (a random 4-character guess is near a given code with odds of about 150 in 1.7 million),
so however many accounts they make, one address gets 20 guesses an hour. README "Security" gives
the arithmetic.
"""
from __future__ import annotations

import math
import time

from core.ratelimit import Budget, address_key

PER_ACCOUNT = Budget("wrong-code-account", "10 per 15 minutes")
PER_ADDRESS = Budget("guessed-code-address", "20 per hour")


class Throttled(Exception):
    """No more codes for now; `whose` limit it was: "account" or "address"."""

    def __init__(self, retry_at: float, whose: str):
        super().__init__(f"too many wrong codes from this {whose}")
        self.retry_at = retry_at
        self.whose = whose

    def wait_words(self) -> str:
        minutes = max(1, math.ceil((self.retry_at - time.time()) / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"

    def message(self) -> str:
        if self.whose == "account":
            return f"Too many wrong codes were tried from your account. Wait {self.wait_words()}, then try again."
        return (f"Too many unknown codes were tried from this network in the last hour (everyone on a venue's "
                f"Wi-Fi shares one). Wait {self.wait_words()}, or try again on mobile data.")


def check(user_id: int, address: str) -> None:
    """Raise Throttled when this account, or anyone on this address, may not try a code now."""
    used, resets_at = PER_ACCOUNT.usage(str(user_id))
    if used >= PER_ACCOUNT.item.amount:
        raise Throttled(resets_at, "account")
    used, resets_at = PER_ADDRESS.usage(address_key(address))  # IPv6 by its /64, as log-ins count
    if used >= PER_ADDRESS.item.amount:
        raise Throttled(resets_at, "address")


def wrong_guess(user_id: int, address: str, *, slip: bool) -> None:
    """Count a code no session has; `slip`: it is a typo of a code open now, which the address does not pay for."""
    PER_ACCOUNT.spend(str(user_id))
    if not slip:
        PER_ADDRESS.spend(address_key(address))
