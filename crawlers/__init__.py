"""fundwatch crawlers."""
