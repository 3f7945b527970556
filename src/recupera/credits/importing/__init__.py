"""Imports of the credits app: the legacy portfolio (CLI `recupera import portfolio`, the
upload screen and its task). Importing this package registers the `portfolio` sub-command."""

from recupera.credits.importing import cli as _cli  # noqa: F401  (registers `portfolio`)
