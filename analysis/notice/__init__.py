"""One notice's text → its metadata, outline (areas, problems, measures) and facts (discipline, figures); pure."""
