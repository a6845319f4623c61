"""The loopback Slack: a recording Web API and Socket Mode stand-in, signed requests, real payload shapes."""
