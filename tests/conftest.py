"""Shared fixtures. Servers bind port 0 on loopback and report the real port."""
