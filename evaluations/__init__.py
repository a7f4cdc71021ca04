"""Course and speaker evaluations (stored without the attendee's identity) and the posttest."""
