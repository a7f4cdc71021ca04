"""Session codes: generating them, their QR, the presenter view, resolving a
typed code to its session (or to why it is refused), and who redeemed which code when."""
