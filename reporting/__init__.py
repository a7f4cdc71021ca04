"""Reporting: transmissions to CPE Monitor / PARS and the provider's reports."""
