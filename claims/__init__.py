"""The attendee's journey: code entry, progress, My Training, the claim, certificates."""
