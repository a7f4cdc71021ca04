"""Users, login, profile and roles."""
