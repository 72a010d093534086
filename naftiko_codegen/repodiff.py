"""``naftiko-gen diff --base REV``: every configured capability against its version at REV.

The configuration of the working tree is applied to both trees (its globs expanded in the
tree at REV as well), so a capability is matched by its path relative to the file holding
the configuration. A capability only in the working tree is added (not breaking); one that
only REV has is removed (breaking); the others are compared as ``diff OLD NEW`` compares
two files. A capability that is invalid on either side is reported, and the others are
still compared.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from .apidiff import compare
from .changes import Change
from .diagnostics import CompilationFailed, Diagnostic
from .project import ConfiguredSpec, Project, display_path
from .revisions import Side, read_spec, revision_tree


@dataclasses.dataclass(frozen=True)
class RepositoryDiff:
    """The changes of every capability, and what could not be read."""

    changes: list[Change]
    warnings: list[Diagnostic]
    errors: list[Diagnostic]


def compare_repository(project: Project, revision: str) -> RepositoryDiff:
    """Compare every configured capability with its version at ``revision``."""
    changes: list[Change] = []
    warnings: list[Diagnostic] = []
    errors: list[Diagnostic] = []
    current = {_relative(spec.spec, project.root): spec for spec in project.specs()}
    with revision_tree(revision, project.root) as (tree, top):
        base_root = tree / os.path.relpath(project.root.resolve(), top.resolve())
        based = dataclasses.replace(project, file=base_root / project.file.name)
        before = {_relative(spec.spec, base_root): spec for spec in based.specs()}
        prefix = Path(os.path.relpath(project.root.resolve(), top.resolve()))

        def shown_at_revision(relative: str) -> str:
            return f"git:{revision}:{(prefix / relative).as_posix().removeprefix('./')}"

        def side(spec: ConfiguredSpec, shown: str) -> Side | None:
            try:
                result = read_spec(spec.spec, shown, spec.package_name)
            except CompilationFailed as failure:
                errors.extend(failure.diagnostics)
                return None
            warnings.extend(result.warnings)
            return result

        for relative, spec in current.items():
            shown = display_path(spec.spec)
            old_spec = before.get(relative)
            if old_spec is None:
                added = side(spec, shown)  # an added capability must compile too
                where = added.surface.where if added is not None else f"{shown}:1:1"
                message = f"the capability {shown} was added"
                changes.append(
                    Change(False, "capability-added", f"capability {shown}", message, where)
                )
                continue
            old = side(old_spec, shown_at_revision(relative))
            new = side(spec, shown)
            if old is not None and new is not None:
                changes.extend(compare(old.surface, new.surface))
        for relative in before:
            if relative not in current:
                shown = shown_at_revision(relative)
                changes.append(
                    Change(
                        True,
                        "capability-removed",
                        f"capability {relative}",
                        f"the capability {relative} was removed",
                        f"{shown}:1:1",
                    )
                )
    return RepositoryDiff(changes, warnings, errors)


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()
