"""``python -m naftiko_codegen`` runs the command line."""

from .cli import run

run()
