"""The Slack side: the app factory (composition root), listener dependencies, serving, after-ack work."""
