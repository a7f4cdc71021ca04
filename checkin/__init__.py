"""Check-in and attendance. The desk itself comes with its own issue; for now
hosts mark attendance by hand, and the claim flow reads it from here."""
