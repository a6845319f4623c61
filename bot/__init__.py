"""Process wiring: settings, the CLI, the Slack app factory, console, logging and queue setup."""
