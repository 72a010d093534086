"""Flyte helpers shared by build-time and end-to-end tests: a valid CreateExecution body
and the Flyte capability built with the Flyte Admin OpenAPI documents (``--openapi``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from naftiko_codegen.pipeline import Result

from .conftest import DATA, FLYTE_SPEC, compile_in_black_layout

OPENAPI = DATA / "openapi" / "flyte-admin-executions.openapi.json"
SWAGGER = DATA / "openapi" / "flyte-admin.swagger.json"


def create_body(project: str, domain: str, name: str) -> dict[str, Any]:
    """A valid CreateExecution request."""
    return {
        "project": project,
        "domain": domain,
        "name": name,
        "spec": {
            "launch_plan": {
                "resource_type": "LAUNCH_PLAN",
                "project": project,
                "domain": domain,
                "name": "daily",
                "version": "v1",
            }
        },
    }


def enriched(document: Path) -> Result:
    """The Flyte capability compiled with ``document`` (in black's layout)."""
    from naftiko_codegen.openapi import OpenApiFile

    return compile_in_black_layout(FLYTE_SPEC, openapi=[OpenApiFile(document)])
