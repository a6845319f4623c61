"""One module per `cmbot` subcommand; each exposes `register(subparsers)`.

`bot.cli` lists them explicitly: nothing registers itself on import.
"""
