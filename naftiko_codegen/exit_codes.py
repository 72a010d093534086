"""The command line's exit codes, kept in one place (documented in README.md)."""

import enum


class ExitCode(enum.IntEnum):
    """Process exit status of every ``naftiko-gen`` command."""

    OK = 0
    """Success; for ``build --check``: the output is up to date."""
    DRIFT = 1
    """``build --check`` found changed, missing or extra files."""
    BREAKING = 1
    """``diff`` found a breaking change (the same status as drift: "the check failed")."""
    INVALID = 2
    """A spec is invalid (in a batch: any of them, the others still built), an output is
    unusable, the configuration has a problem, or the command line was used wrongly."""
    INTERNAL = 3
    """A bug in naftiko-gen; the message asks for a report."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C (SIGINT), as shells report it; the output directory is intact."""
