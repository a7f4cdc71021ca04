"""Reporting: transmitting completed claims to CPE Monitor and ACCME PARS, and following each to its outcome."""
