"""Derive schemas/naftiko-capability.schema.json from the official alpha2 schema."""

import copy
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
official = json.loads((REPO.parent / "shared/reference/naftiko-schema-alpha2.json").read_text())
s = copy.deepcopy(official)


def insert_after(obj, after, key, value):
    items = list(obj.items())
    out = {}
    for k, v in items:
        out[k] = v
        if k == after:
            out[key] = value
    obj.clear()
    obj.update(out)


d = s["$defs"]

s["$id"] = "urn:naftiko-gen:schema:naftiko-capability:1.0.0-alpha2"
comment = (
    "The official Naftiko 1.0.0-alpha2 schema (https://naftiko.io/schemas/v1.0.0-alpha2/naftiko.json) "
    "plus the dialect accepted by naftiko-gen (docs: DESIGN.md section 2). Every departure from the "
    "official schema carries a $comment starting with 'naftiko-gen dialect:'."
)
insert_after(s, "$id", "$comment", comment)


# --- new shared definitions -------------------------------------------------
new_defs = {
    "ParameterName": {
        "$comment": "naftiko-gen dialect: parameter wire names used by real APIs: dotted names (`id.project`), bracketed names (`fields[]`, `page[limit]`), a leading `$` (`$orderBy`), header names (`If-Match`) and Twilio's comparison suffixes (`StartTime<`, `ValidUntilDate>`). The official schema allows only IdentifierExtended. Generated code maps each to a distinct Python identifier and keeps the wire name.",
        "type": "string",
        "description": "Wire name of a parameter: IdentifierExtended segments joined by `.`, optionally prefixed by `$`, followed by `[...]` groups and an optional `<` or `>` suffix.",
        "pattern": "^\\$?[a-zA-Z0-9_*-]+(?:\\.[a-zA-Z0-9_*-]+)*(?:\\[[a-zA-Z0-9_.*-]*\\])*[<>]?$",
    },
    "ConsumedResourceName": {
        "$comment": "naftiko-gen dialect: consumed resource names derived from upstream paths keep `.`, `_` and, in generated Twilio capabilities, a stray `}` (`api-v1-executions-id.project-id.domain`, `Accounts-AccountSid-Calls-CallSid}.json`). The official schema allows only IdentifierKebab. Resource names are labels: `call` references never contain them.",
        "type": "string",
        "description": "Technical identifier of a consumed resource: letters, digits, `-`, `_`, `.` (and `}` as found in generated files).",
        "pattern": "^[a-zA-Z0-9_.}-]+$",
    },
    "HttpHeaderName": {
        "$comment": "naftiko-gen dialect: used by ConsumesHttp.headers.",
        "type": "string",
        "description": "HTTP header field name (an RFC 9110 token).",
        "pattern": "^[a-zA-Z0-9!#$%&'*+.^_`|~-]+$",
    },
}
for name, value in new_defs.items():
    d[name] = value

# --- ConsumedInputParameter: wire names, type/required/description -----------
cip = d["ConsumedInputParameter"]
cip["properties"]["name"] = {
    "$comment": "naftiko-gen dialect: wire names such as `id.project`, `fields[]`, `page[limit]`, `$orderBy`, `If-Match` (see ParameterName).",
    "$ref": "#/$defs/ParameterName",
    "description": cip["properties"]["name"]["description"],
}
cip["properties"]["type"] = {
    "$comment": "naftiko-gen dialect: consumed input parameters may declare their type (as exposed ones do).",
    "type": "string",
    "description": "The expected data type of the parameter. Defaults to `string`.",
    "enum": ["string", "number", "integer", "boolean", "array", "object"],
}
cip["properties"]["required"] = {
    "$comment": "naftiko-gen dialect: consumed input parameters may say whether they are required.",
    "type": "boolean",
    "description": "Whether the parameter is required. Defaults to true; path parameters are always required.",
    "default": True,
}
cip["properties"]["description"] = {
    "$comment": "naftiko-gen dialect: consumed input parameters may carry a description (used for derived MCP tool arguments).",
    "type": "string",
    "description": "A meaningful description of the parameter.",
}

# --- exposed / MCP input parameter names ------------------------------------
for defname in ("ExposedInputParameter", "McpToolInputParameter"):
    p = d[defname]["properties"]["name"]
    d[defname]["properties"]["name"] = {
        "$comment": "naftiko-gen dialect: wire names such as `id.project`, `fields[]`, `page[limit]`, `$orderBy` (see ParameterName).",
        "$ref": "#/$defs/ParameterName",
        "description": p["description"],
    }

# --- consumed resource names ------------------------------------------------
r = d["ConsumedHttpResource"]["properties"]
r["name"] = {
    "$comment": "naftiko-gen dialect: `.`, `_` (and a stray `}`) in consumed resource names (see ConsumedResourceName).",
    "$ref": "#/$defs/ConsumedResourceName",
    "description": r["name"]["description"],
}

# --- consumed paths: document that {x} and {{x}} are both accepted ----------
r["path"][
    "$comment"
] = "naftiko-gen dialect: placeholders may be written `{x}` or `{{x}}`, and need not be declared in inputParameters (the official schema has no pattern here either, so nothing is relaxed)."

# --- methods HEAD and OPTIONS -----------------------------------------------
for defname in ("ConsumedHttpOperation", "ExposedOperation"):
    m = d[defname]["properties"]["method"]
    m["enum"] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    m["$comment"] = (
        "naftiko-gen dialect: HEAD and OPTIONS are accepted in addition to the official GET, POST, PUT, PATCH, DELETE."
    )
    ordered = {"$comment": m.pop("$comment")}
    ordered.update(m)
    d[defname]["properties"]["method"] = ordered

# --- outputRawFormat text ---------------------------------------------------
f = d["ConsumedHttpOperation"]["properties"]["outputRawFormat"]
f["enum"] = f["enum"] + ["text"]
f["$comment"] = (
    "naftiko-gen dialect: `text` (a plain-text or event-stream response, returned as one string) is used by real capabilities (Anthropic managed-agents sessions stream)."
)

# --- ConsumesHttp: headers, baseUri -----------------------------------------
ch = d["ConsumesHttp"]["properties"]
insert_after(
    ch,
    "inputParameters",
    "headers",
    {
        "$comment": "naftiko-gen dialect: static headers sent with every request of this adapter (e.g. `anthropic-version`).",
        "type": "object",
        "description": "Static HTTP headers sent with every request of this adapter. Values may use Mustache expressions resolved from bound variables.",
        "propertyNames": {"$ref": "#/$defs/HttpHeaderName"},
        "additionalProperties": {"type": "string"},
    },
)
b = ch["baseUri"]
b["pattern"] = "^(?:https?://[^/]+(?:/[^{]*[^{/])?)?$"
b["$comment"] = (
    "naftiko-gen dialect: an empty baseUri (configured at run time) and a templated host "
    "(`https://translate.{region}.amazonaws.com`) are accepted; a trailing `/` is rejected "
    "(the official pattern `^https?://[^/]+(/[^{]*)?$` lets it through, the reference engine rejects it at load time)."
)

# --- ExposesRest.description ------------------------------------------------
er = d["ExposesRest"]["properties"]
insert_after(
    er,
    "namespace",
    "description",
    {
        "$comment": "naftiko-gen dialect: a description on the REST adapter (as ExposesMcp and ExposesSkill have).",
        "type": "string",
        "description": "A meaningful description of this REST API's purpose. Used in generated documentation.",
    },
)

# --- MappedOutputParameterObject: pass-through with no properties ------------
obj = d["MappedOutputParameterObject"]["allOf"][1]
assert obj["required"] == ["properties"]
del obj["required"]
passthrough = {"type": "string", "enum": ["$", "$."]}
new_obj = {}
for k, v in obj.items():
    new_obj[k] = v
    if k == "properties":
        new_obj["$comment"] = (
            "naftiko-gen dialect: `{type: object, mapping: $.}` (also `value: $.`, and `$` for `$.`) with no `properties` returns the upstream body unchanged; the official schema always requires `properties`. Any other object output still needs `properties`."
        )
        new_obj["if"] = {
            "anyOf": [
                {"required": ["mapping"], "properties": {"mapping": passthrough}},
                {"required": ["value"], "properties": {"value": passthrough}},
            ]
        }
        new_obj["else"] = {"required": ["properties"]}
d["MappedOutputParameterObject"]["allOf"][1] = new_obj

out = REPO / "schemas" / "naftiko-capability.schema.json"
out.write_text(json.dumps(s, indent=2, ensure_ascii=False) + "\n")
print("written", out)
