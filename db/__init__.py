"""fundwatch db."""
