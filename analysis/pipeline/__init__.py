"""The build: per-document pipeline, orchestration, incremental updates and corpus-wide stages."""
