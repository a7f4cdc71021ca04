"""Reporting: transmitting completed claims to CPE Monitor and ACCME PARS, following each to its outcome, and the provider's reports."""
