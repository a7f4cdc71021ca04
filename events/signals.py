"""Signals other packages listen to, so `events` never imports them."""
from blinker import Namespace

_signals = Namespace()

# Sent with the EventSession (sender) after a session is first stored, inside
# the same transaction, before commit: listeners may add rows (e.g. its code).
session_created = _signals.signal("session-created")

# Sent with the demo Event (sender) and `people` (role -> User) by `flask demo load`,
# before commit, so other packages add their part of the demo (registrations, ...).
demo_loaded = _signals.signal("demo-loaded")
