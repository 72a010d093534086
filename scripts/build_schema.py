"""Derive the accepted dialects' schemas from the official ones:

* ``schemas/naftiko-capability.schema.json`` from the official alpha2 schema;
* ``schemas/ikanos-capability.schema.json`` from the official Ikanos 1.0.0-beta5 schema.

Both accept the official language plus the same real-world forms (``scripts/schema_dialect.py``,
DESIGN.md section 2); in beta5 the names those forms relax are the keys of its maps.
"""

import copy
import json
from pathlib import Path

from schema_dialect import (
    CALL,
    FILE_LOCATION,
    HTTP_HEADER_NAME,
    LABEL,
    LOCATIONS,
    NAME,
    NAMESPACE,
    PARAMETER_NAME,
    PATH_COMMENT,
    WHAT_REFS_NAME,
    authentication_descriptions,
    bare_uri_location,
    consumed_api,
    consumed_parameter_fields,
    extend_methods,
    insert_after,
    items_optional,
    may_be_empty,
    operation_path,
    passthrough_object,
    rest_description,
    retarget,
    text_format,
)

REPO = Path(__file__).resolve().parents[1]
LABELS_COMMENT = "naftiko-gen dialect: a label (see Label)."
NAMESPACE_COMMENT = "naftiko-gen dialect: see Namespace."
NAME_COMMENT = "naftiko-gen dialect: any case style (see Name)."
LOCATION_COMMENT = "naftiko-gen dialect: see FileLocation."


def official(name):
    """The official schema ``schemas/official/<name>``, parsed."""
    return json.loads((REPO / "schemas" / "official" / name).read_text())


def alpha2():
    """The alpha2 dialect: the official alpha2 schema plus the real-world forms."""
    s = copy.deepcopy(official("naftiko-schema-alpha2.json"))
    d = s["$defs"]
    s["$id"] = "urn:naftiko-gen:schema:naftiko-capability:1.0.0-alpha2"
    comment = (
        "The official Naftiko 1.0.0-alpha2 schema (https://naftiko.io/schemas/v1.0.0-alpha2/naftiko.json) "
        "plus the dialect accepted by naftiko-gen (docs: DESIGN.md section 2). Every departure from the "
        "official schema carries a $comment starting with 'naftiko-gen dialect:'."
    )
    insert_after(s, "$id", "$comment", comment)
    d["ParameterName"] = PARAMETER_NAME
    d["ConsumedResourceName"] = {"$ref": "#/$defs/Label", "$comment": LABEL["$comment"]}
    d["HttpHeaderName"] = HTTP_HEADER_NAME

    cip = d["ConsumedInputParameter"]
    cip["properties"]["name"] = {
        "$comment": "naftiko-gen dialect: wire names such as `id.project`, `fields[]`, `page[limit]`, `$orderBy`, `If-Match` (see ParameterName).",
        "$ref": "#/$defs/ParameterName",
        "description": cip["properties"]["name"]["description"],
    }
    cip["properties"].update(consumed_parameter_fields())
    for defname in ("ExposedInputParameter", "McpToolInputParameter"):
        p = d[defname]["properties"]["name"]
        d[defname]["properties"]["name"] = {
            "$comment": "naftiko-gen dialect: wire names such as `id.project`, `fields[]`, `page[limit]`, `$orderBy` (see ParameterName).",
            "$ref": "#/$defs/ParameterName",
            "description": p["description"],
        }
    r = d["ConsumedHttpResource"]["properties"]
    r["name"] = {
        "$comment": "naftiko-gen dialect: `.`, `_` (and a stray `}`) in consumed resource names (see ConsumedResourceName).",
        "$ref": "#/$defs/ConsumedResourceName",
        "description": r["name"]["description"],
    }
    r["path"]["$comment"] = PATH_COMMENT
    extend_methods(d, ("ConsumedHttpOperation", "ExposedOperation"))
    f = text_format(d["ConsumedHttpOperation"]["properties"]["outputRawFormat"])
    consumed_api(d["ConsumesHttp"]["properties"])
    rest_description(d["ExposesRest"]["properties"])
    obj = d["MappedOutputParameterObject"]["allOf"][1]
    d["MappedOutputParameterObject"]["allOf"][1] = passthrough_object(obj)

    d["Label"] = LABEL
    d["Namespace"] = NAMESPACE
    d["Name"] = NAME
    labels = [("ExposedResource", "name"), ("McpResource", "name")]
    namespaces = [
        ("ImportedConsumesHttp", "import"), ("ImportedConsumesHttp", "as"), ("Binding", "namespace"),
        ("Aggregate", "namespace"), ("ExposesRest", "namespace"), ("ExposesMcp", "namespace"),
        ("ConsumesHttp", "namespace"), ("ForwardConfig", "targetNamespace"), ("ExposesSkill", "namespace"),
    ]
    names = [
        ("AggregateFunction", "name"), ("McpTool", "name"), ("McpPrompt", "name"),
        ("McpPromptArgument", "name"), ("ExposedOperation", "name"), ("ConsumedHttpOperation", "name"),
        ("OperationStepBase", "name"), ("ExposedSkill", "name"), ("SkillTool", "name"),
    ]
    for defname, field in labels:
        retarget(d[defname], field, "#/$defs/Label", LABELS_COMMENT)
    for defname, field in namespaces:
        retarget(d[defname], field, "#/$defs/Namespace", NAMESPACE_COMMENT)
    for defname, field in names:
        retarget(d[defname], field, "#/$defs/Name", NAME_COMMENT)
    for defname, field in WHAT_REFS_NAME:
        d[defname]["properties"][field].update(CALL)
    d["OperationStepCall"]["allOf"][1]["properties"]["call"].update(CALL)

    s["properties"]["naftiko"] = {
        "$comment": "naftiko-gen dialect: `1.0.0-alpha1` documents (real files use it) are read as alpha2 where they fit it.",
        "type": "string",
        "description": s["properties"]["naftiko"]["description"],
        "enum": ["1.0.0-alpha2", "1.0.0-alpha1"],
    }
    operation_path(d["ExposedOperation"]["properties"])
    authentication_descriptions(d)
    for defname, field in [
        ("ConsumesHttp", "resources"), ("ExposesRest", "resources"), ("ExposesMcp", "tools"),
        ("ExposedResource", "operations"), ("ConsumedHttpResource", "operations"),
    ]:
        may_be_empty(d[defname]["properties"][field], "minItems")
    for defname in ("MappedOutputParameterArray", "OrchestratedOutputParameterArray"):
        items_optional(d[defname])

    f["enum"] = f["enum"] + ["binary"]
    f["$comment"] += " `binary` passes the upstream bytes through unchanged, with their content type."

    d["FileLocation"] = FILE_LOCATION
    for defname, field in [*LOCATIONS, ("ImportedConsumesHttp", "location")]:
        retarget(d[defname], field, "#/$defs/FileLocation", LOCATION_COMMENT)
    retarget(d["OperationStepScript"]["allOf"][1], "location", "#/$defs/FileLocation", LOCATION_COMMENT)
    bare_uri_location(d)
    return s


INPUT_OWNERS = (
    "ConsumesHttp", "ConsumedHttpResource", "ConsumedHttpOperation", "ExposedResource",
    "ExposedOperation", "McpTool", "AggregateFlow",
)
"""The beta5 definitions whose ``inputParameters`` map is keyed by parameter name."""
STEP_OWNERS = ("ExposedOperation", "McpTool", "McpResource", "AggregateFlow")


def keyed_by(node, ref, comment):
    """The keys of the map ``node`` follow definition ``ref``."""
    node["propertyNames"] = {"$comment": comment, "$ref": ref}


def beta5():
    """The beta5 dialect: the official Ikanos 1.0.0-beta5 schema plus the same real-world forms,
    written where beta5 puts them (names are the keys of maps)."""
    s = copy.deepcopy(official("ikanos-schema-beta5.json"))
    d = s["$defs"]
    s["$id"] = "urn:naftiko-gen:schema:ikanos-capability:1.0.0-beta5"
    comment = (
        "The official Ikanos 1.0.0-beta5 schema (https://ikanos.io/schemas/v1.0.0-beta5/ikanos.json) "
        "plus the dialect accepted by naftiko-gen (docs: DESIGN.md section 2, docs/semantics.md). Every "
        "departure from the official schema carries a $comment starting with 'naftiko-gen dialect:'."
    )
    insert_after(s, "$id", "$comment", comment)
    for name, value in [
        ("ParameterName", PARAMETER_NAME), ("HttpHeaderName", HTTP_HEADER_NAME), ("Label", LABEL),
        ("Namespace", NAMESPACE), ("Name", NAME), ("FileLocation", FILE_LOCATION),
    ]:
        d[name] = value

    d["ConsumedInputParameter"]["properties"].update(consumed_parameter_fields())
    for defname in INPUT_OWNERS:
        keyed_by(
            d[defname]["properties"]["inputParameters"], "#/$defs/ParameterName",
            "naftiko-gen dialect: wire names such as `id.project`, `fields[]`, `page[limit]`, `$orderBy`, `If-Match` (see ParameterName).",
        )
    keyed_by(d["McpPrompt"]["properties"]["arguments"], "#/$defs/Name", NAME_COMMENT)
    for defname in ("ConsumesHttp", "ExposesRest", "ExposesMcp"):
        keyed_by(d[defname]["properties"]["resources"], "#/$defs/Label", LABELS_COMMENT)
    for defname, field in [
        ("ConsumedHttpResource", "operations"), ("ExposedResource", "operations"),
        ("ExposesMcp", "tools"), ("ExposesMcp", "prompts"), ("Aggregate", "flows"),
        ("ExposesSkill", "skills"), ("ExposedSkill", "tools"),
        *[(owner, "steps") for owner in STEP_OWNERS],
    ]:
        keyed_by(d[defname]["properties"][field], "#/$defs/Name", NAME_COMMENT)
    d["ConsumedHttpResource"]["properties"]["path"]["$comment"] = PATH_COMMENT
    for defname, field in [
        ("ImportEntry", "import"), ("ImportEntry", "as"), ("Binding", "namespace"),
        ("Aggregate", "namespace"), ("ExposesRest", "namespace"), ("ExposesMcp", "namespace"),
        ("ConsumesHttp", "namespace"), ("ForwardConfig", "targetNamespace"), ("ExposesSkill", "namespace"),
    ]:
        retarget(d[defname], field, "#/$defs/Namespace", NAMESPACE_COMMENT)
    for defname, field in [("AggregateFlow", "call"), *WHAT_REFS_NAME[1:]]:
        d[defname]["properties"][field].update(CALL)
    d["OperationStepCall"]["allOf"][1]["properties"]["call"].update(CALL)

    extend_methods(d, ("ConsumedHttpOperation", "ExposedOperation"))
    text_format(d["ConsumedHttpOperation"]["properties"]["outputRawFormat"])
    consumed_api(d["ConsumesHttp"]["properties"])
    rest_description(d["ExposesRest"]["properties"])
    obj = d["MappedOutputParameterObject"]["allOf"][1]
    d["MappedOutputParameterObject"]["allOf"][1] = passthrough_object(obj)
    operation_path(d["ExposedOperation"]["properties"])
    authentication_descriptions(d)
    for defname, field in [
        ("ConsumesHttp", "resources"), ("ExposesRest", "resources"), ("ExposesMcp", "tools"),
        ("ExposedResource", "operations"), ("ConsumedHttpResource", "operations"),
    ]:
        may_be_empty(d[defname]["properties"][field], "minProperties")
    for defname in ("MappedOutputParameterArray", "OrchestratedOutputParameterArray"):
        items_optional(d[defname])
    for defname, field in LOCATIONS:
        retarget(d[defname], field, "#/$defs/FileLocation", LOCATION_COMMENT)
    retarget(d["OperationStepScript"]["allOf"][1], "location", "#/$defs/FileLocation", LOCATION_COMMENT)
    bare_uri_location(d)
    return s


def main():
    """Write both dialect schemas."""
    for name, schema in [
        ("naftiko-capability.schema.json", alpha2()),
        ("ikanos-capability.schema.json", beta5()),
    ]:
        out = REPO / "schemas" / name
        out.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        print("written", out)


if __name__ == "__main__":
    main()
