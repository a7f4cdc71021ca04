"""Signals other packages listen to, so `events` never imports them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the EventSession (sender) after a session is first stored, inside
# the same transaction, before commit: listeners may add rows (e.g. its code).
session_created = _signals.signal("session-created")
