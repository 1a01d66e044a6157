"""Genre concepts of the notices, each defined once: numerals, sentences, enumerators, book titles, dates."""
