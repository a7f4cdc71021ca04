"""What every package shares and nothing domain-specific."""
