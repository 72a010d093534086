"""What the adapter lowerings (REST, MCP, control and skills) work with: the collaborators
that resolve calls, bind arguments, build outputs and steps, and lower credentials."""

from __future__ import annotations

import dataclasses

from .aggregates import Aggregates
from .arguments import Arguments
from .auth import Authentication
from .calls import Calls
from .consumes import Consumes
from .context import Diagnostics
from .outputs import Outputs
from .steps import Steps
from .values import Values


@dataclasses.dataclass(frozen=True)
class Toolkit:
    """The shared collaborators of one lowering (one instance per document)."""

    diagnostics: Diagnostics
    values: Values
    consumes: Consumes
    calls: Calls
    arguments: Arguments
    outputs: Outputs
    steps: Steps
    aggregates: Aggregates
    authentication: Authentication
