"""The ``python -m core`` argument parser, assembled from each command module's ``register``."""

from __future__ import annotations

import argparse

from core.cli import admin, collection, delivery, doctor, guardrails, reads
from core.cli.base import Parser

# Each module adds its commands with ``register(sub)`` and sets ``handler`` on each; order is the --help order.
MODULES = (reads, collection, delivery, guardrails, doctor, admin)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="python -m core", description="Spendboard: what your team spends on paid APIs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in MODULES:
        module.register(sub)
    return parser
