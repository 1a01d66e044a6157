"""What researchers see: notebook helpers, charts, reports, exports and search."""
