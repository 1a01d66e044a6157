"""Opening the warehouse: read-only connections, the build lock, DDL and inserts."""
