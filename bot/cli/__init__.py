"""The `cmbot` command line: the entry point and the console that drives the real app from a terminal."""
