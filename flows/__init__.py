"""fundwatch flows."""
