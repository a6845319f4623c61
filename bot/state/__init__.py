"""Shared state in Redis and its in-memory twins: locks, caches, dedup, channel settings, embedded server."""
