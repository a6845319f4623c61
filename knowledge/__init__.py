"""The knowledge base: cause entries, error-code decoding, log reading and the matcher.

Nothing in this package knows about Slack or WinRM; both the Slack handlers and the remote
checks call into it.
"""
