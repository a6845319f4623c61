"""One module per `cmbot` subcommand; each exposes `register(subparsers)`.

`bot.cli.main` lists them explicitly: nothing registers itself on import.
"""
