"""How fast passwords can be guessed, and accounts made, from one place (issue 12).

Per account, keyed by the email typed (known or not, so a refusal tells nothing about who has an
account; hashed, so no email sits in the rate-limit store): the first 5 consecutive failures cost
nothing; after that each failure makes the next attempt wait, the wait doubling from 1 minute up to
30: 1, 2, 4, 8, 16, 30, 30, … minutes. A successful log-in starts the count afresh; so does the day
after the first failure. Nothing locks: once the wait is over the right password works, so a
guesser can make a real person wait, never lock them out.

What one guesser gets on one account, from any number of addresses: 5 at once, then one after 1, 2,
4, 8 and 16 more minutes (the 10th at 31 minutes), then one every 30 minutes: 10 in the first hour,
2 in each hour after, 10 + 46 = 56 in the day its count lasts. NIST SP 800-63B 5.2.2 asks that
consecutive failures on an account be limited to at most 100: never 100 in a day here, and no
lock-out to turn guessing into a way of keeping someone out for good.

Every attempt takes its place atomically before the password is checked (`Budget.take`): a hundred
requests sent at once get the free attempts and one more, or one after a wait, not a hundred guesses.

Per address: only failures count, 1,000 per 15 minutes. A venue is one address (its Wi-Fi's NAT):
5,000 people logging in over an hour, one in five mistyping once, is about 250 failures per 15
minutes, a quarter of the budget. Like wrong codes (claims.guessing), an address over its budget
stops only accounts that have themselves failed: an attendee's first try always gets through,
whatever others at the venue typed. Spraying one password over many accounts from one address then
gets one try per account, which the per-account count keeps to one a day.

Registrations: 1,000 per hour per address, each well-formed sign-up counted (taken emails too: the
form says when an email has an account). A venue's hundreds of first-timers in minutes fit.

IPv6 addresses count by their /64 (core.ratelimit.address_key).
"""
from __future__ import annotations

import hashlib
import math
import time

from core.ratelimit import Budget, address_key

FREE_FAILURES = 5
WAIT_MINUTES = (1, 2, 4, 8, 16, 30)  # after the 5th failure, the 6th, …; the last repeats
COUNT_RULE = "1000 per 1 day"  # consecutive failures are forgotten a day after the first

FAILURES = Budget("login-failures-account", COUNT_RULE)
FREE_ATTEMPTS = Budget("login-free-attempts-account", f"{FREE_FAILURES} per 1 day")
WAITS = [Budget(f"login-wait-{minutes}m-account", f"1 per {minutes} minutes") for minutes in WAIT_MINUTES]
ADDRESS_FAILURES = Budget("login-failures-address", "1000 per 15 minutes")
REGISTRATIONS = Budget("registrations-address", "1000 per 1 hour")


class Throttled(Exception):
    """Not now: `retry_at` (seconds since the epoch) is when to try again."""

    MESSAGES = {
        "account": "Too many attempts for this account. Try again in {wait}.",
        "address": "Too many failed log-ins from your network. Try again in {wait}.",
        "registration": "Too many accounts were made from your network in the last hour. Try again in {wait}.",
    }

    def __init__(self, scope: str, retry_at: float):
        super().__init__(f"throttled: {scope}")
        self.scope, self.retry_at = scope, retry_at

    def seconds(self) -> int:
        """For the Retry-After header."""
        return max(1, math.ceil(self.retry_at - time.time()))

    def wait_words(self) -> str:
        minutes = max(1, math.ceil((self.retry_at - time.time()) / 60))
        return f"{minutes} minute{'s' if minutes != 1 else ''}"

    def message(self) -> str:
        return self.MESSAGES[self.scope].format(wait=self.wait_words())


def _account(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _wait_after(failures: int) -> Budget:
    return WAITS[min(failures - FREE_FAILURES, len(WAITS) - 1)]


def admit(email: str, address: str | None) -> None:
    """Take this attempt's place, or raise Throttled. Call before checking the password."""
    account = _account(email)
    failures = FAILURES.used(account)
    if failures and ADDRESS_FAILURES.exhausted(address_key(address)):
        raise Throttled("address", ADDRESS_FAILURES.resets_at(address_key(address)))
    if failures < FREE_FAILURES and FREE_ATTEMPTS.take(account):
        return
    # Past the free failures, or the free attempts are all taken by attempts still in flight (a burst;
    # or attempts a server error cut short, which never counted as failures): one try per wait.
    wait = _wait_after(max(failures, FREE_FAILURES))
    if not wait.take(account):
        raise Throttled("account", wait.resets_at(account))


def failed(email: str, address: str | None) -> None:
    """A wrong password: count it, and when it is past the free ones start the wait before the next."""
    account = _account(email)
    FAILURES.spend(account)
    ADDRESS_FAILURES.spend(address_key(address))
    failures = FAILURES.used(account)
    if failures >= FREE_FAILURES:
        _wait_after(failures).spend(account)


def succeeded(email: str) -> None:
    """The right password: the account's count starts afresh."""
    account = _account(email)
    FREE_ATTEMPTS.forget(account)
    FAILURES.forget(account)


def admit_registration(address: str | None) -> None:
    """Count a sign-up from this address, or raise Throttled when the address has made too many."""
    key = address_key(address)
    if not REGISTRATIONS.take(key):
        raise Throttled("registration", REGISTRATIONS.resets_at(key))
