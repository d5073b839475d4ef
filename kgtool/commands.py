"""The registry of `kgtool` subcommands, apart from the CLI that runs them.

A module that adds a subcommand (the server's `serve`, in `kgtool.server.command`) imports this
registry, not the CLI, so the CLI and its plugins never import each other; the CLI imports
the plugins it lists in `kgtool.cli.PLUGINS` and then builds one parser from `COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

from kgtool.errors import KgtoolError

EXIT_OK = 0
EXIT_NONCONFORMING = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_FAILURE = 4
EXIT_BUG = 5


class UsageError(KgtoolError):
    """Arguments that parse but do not make sense together."""


@dataclass(frozen=True)
class Command:
    """One subcommand: `arguments` adds its options to a parser, `run` does the work."""

    name: str
    help: str
    example: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


COMMANDS: dict[str, Command] = {}


def register(command: Command) -> Command:
    """Add a subcommand to `kgtool` (a later registration of the same name replaces it)."""
    COMMANDS[command.name] = command
    return command
