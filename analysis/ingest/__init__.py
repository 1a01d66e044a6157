"""Corpus files → decoded, normalised notice text (the only stage that reads the corpus)."""
