"""Events and their sessions: UANs, credit hours, schedule, submission window."""
