"""Slack listeners, thin over the core: parse, authorize, ack, call the core, render Block Kit."""
