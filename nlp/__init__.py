"""fundwatch nlp."""
