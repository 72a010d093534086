"""The statuses a REST adapter's OpenAPI document declares (naftiko_codegen/rest_openapi.py)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from naftiko_codegen.openapi import OpenApiFile

from ..conftest import DATA, compile_in_black_layout

CHECKED = DATA / "openapi" / "checked"


def test_the_upstreams_declared_errors_and_ours_are_declared(tmp_path: Path) -> None:
    document = yaml.safe_load((CHECKED / "pets.openapi.yaml").read_text())
    post = next(item["post"] for item in document["paths"].values() if "post" in item)
    post["responses"]["409"] = {"description": "A pet of that name exists."}
    post["responses"]["5XX"] = {"$ref": "#/components/responses/Broken"}
    document.setdefault("components", {})["responses"] = {"Broken": {"description": "Down."}}
    contract = tmp_path / "pets.openapi.yaml"
    contract.write_text(yaml.safe_dump(document))
    result = compile_in_black_layout(CHECKED / "pets.yaml", openapi=[OpenApiFile(contract)])
    name = next(path for path in result.files if path.endswith("_openapi.json"))
    paths = json.loads(result.files[name])["paths"]
    responses = next(item["post"]["responses"] for item in paths.values() if "post" in item)
    assert responses["409"]["description"] == "A pet of that name exists."
    assert responses["5XX"]["description"] == "Down."
    assert responses["409"]["content"] == {"*/*": {"schema": {}}}
    assert responses["422"] == {"$ref": "#/components/responses/InvalidInput"}
    assert list(responses)[-1] == "default"
    listed = next(item["get"]["responses"] for item in paths.values() if "get" in item)
    assert "409" not in listed and "default" in listed
    assert {"400", "413", "414", "500", "502", "504"} <= set(listed)
