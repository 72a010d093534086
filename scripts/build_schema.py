"""Derive schemas/naftiko-capability.schema.json from the official alpha2 schema."""

import copy
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
official = json.loads((REPO / "schemas/official/naftiko-schema-alpha2.json").read_text())
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
b["pattern"] = "^(?:(?:https?://[^/\\s]+|\\{\\{?[^{}\\s]+\\}?\\})(?:/\\S*[^/\\s])?)?$"
b["$comment"] = (
    "naftiko-gen dialect: an empty baseUri (configured at run time) and placeholders anywhere "
    "(`https://{instance}.salesforce.com/services/data/v{version}`, `{API_URL}`; each one a setting at run time, "
    "or a bound variable of that name) are accepted; a trailing `/` is rejected "
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

# --- names: labels, namespaces and names in any case style (DESIGN.md section 2) ---
d["Label"] = {
    "$comment": "naftiko-gen dialect: resource names are labels, never identifiers (`users-@me`, `v1-Invoice Items`, `#CreateBackup`, `oauth-token?refresh`); generated names are derived through one sanitiser.",
    "type": "string",
    "description": "A non-empty label.",
    "minLength": 1,
}
d["Namespace"] = {
    "$comment": "naftiko-gen dialect: namespaces may use `_` and `:` as well as the official kebab-case; the first `.` of a `call` ends the namespace, so it holds none.",
    "type": "string",
    "description": "A namespace: letters, digits, `-`, `_` and `:`.",
    "pattern": "^[a-zA-Z0-9_:-]+$",
}
d["Name"] = {
    "$comment": "naftiko-gen dialect: names of operations, tools, steps and functions in any case style (`get_users`, `ListExecutions`, `get_bot-detection`); the official schema allows only kebab-case.",
    "type": "string",
    "description": "A name: letters, digits, `-`, `_` and `.`, not starting with `.` or `-`.",
    "pattern": "^[a-zA-Z0-9_][a-zA-Z0-9_.-]*$",
}
CALL = {
    "$comment": "naftiko-gen dialect: `namespace.name` with the namespace and name forms above.",
    "type": "string",
    "pattern": "^[a-zA-Z0-9_:-]+\\.[a-zA-Z0-9_][a-zA-Z0-9_.-]*$",
}
d["ParameterName"] = {
    "$comment": "naftiko-gen dialect: parameter wire names are whatever the upstream API uses (`id.project`, `fields[]`, `page[limit]`, `$orderBy`, `If-Match`, `StartTime<`, ``filter[cvss.base.score][`$op`]``). The official schema allows only IdentifierExtended. Generated code maps each to a distinct Python identifier and keeps the wire name.",
    "type": "string",
    "description": "Wire name of a parameter: any non-empty string.",
    "minLength": 1,
}
d["ConsumedResourceName"] = {"$ref": "#/$defs/Label", "$comment": d["Label"]["$comment"]}


def retarget(node, field, target, comment):
    """Point ``node.properties[field]`` at ``target``, keeping its description."""
    old = node["properties"][field]
    node["properties"][field] = {"$comment": comment, "$ref": target}
    if "description" in old:
        node["properties"][field]["description"] = old["description"]


LABELS = [("ExposedResource", "name"), ("McpResource", "name")]
NAMESPACES = [
    ("ImportedConsumesHttp", "import"), ("ImportedConsumesHttp", "as"), ("Binding", "namespace"),
    ("Aggregate", "namespace"), ("ExposesRest", "namespace"), ("ExposesMcp", "namespace"),
    ("ConsumesHttp", "namespace"), ("ForwardConfig", "targetNamespace"), ("ExposesSkill", "namespace"),
]
NAMES = [
    ("AggregateFunction", "name"), ("McpTool", "name"), ("McpPrompt", "name"),
    ("McpPromptArgument", "name"), ("ExposedOperation", "name"), ("ConsumedHttpOperation", "name"),
    ("OperationStepBase", "name"), ("ExposedSkill", "name"), ("SkillTool", "name"),
]
for defname, field in LABELS:
    retarget(d[defname], field, "#/$defs/Label", "naftiko-gen dialect: a label (see Label).")
for defname, field in NAMESPACES:
    retarget(d[defname], field, "#/$defs/Namespace", "naftiko-gen dialect: see Namespace.")
for defname, field in NAMES:
    retarget(d[defname], field, "#/$defs/Name", "naftiko-gen dialect: any case style (see Name).")
for defname, field in [
    ("AggregateFunction", "call"), ("McpTool", "ref"), ("McpTool", "call"), ("McpResource", "call"),
    ("ExposedOperation", "ref"), ("ExposedOperation", "call"),
]:
    d[defname]["properties"][field].update(CALL)
d["OperationStepCall"]["allOf"][1]["properties"]["call"].update(CALL)

# --- alpha1 documents are read as alpha2 where they fit it -------------------
s["properties"]["naftiko"] = {
    "$comment": "naftiko-gen dialect: `1.0.0-alpha1` documents (real files use it) are read as alpha2 where they fit it.",
    "type": "string",
    "description": s["properties"]["naftiko"]["description"],
    "enum": ["1.0.0-alpha2", "1.0.0-alpha1"],
}

# --- an exposed operation's own path below its resource's --------------------
insert_after(
    d["ExposedOperation"]["properties"],
    "method",
    "path",
    {
        "$comment": "naftiko-gen dialect: an operation may carry its own path below its resource's (`/v2/pipelines/{pipeline}` under `/v2/pipelines`); a relative path is appended to the resource's.",
        "type": "string",
        "description": "Path of this operation when it differs from its resource's (supports {{param}} placeholders).",
    },
)

# --- a description on authentication blocks ----------------------------------
for defname in ("AuthBasic", "AuthApiKey", "AuthBearer", "AuthDigest", "AuthOAuth2"):
    insert_after(
        d[defname]["properties"],
        "type",
        "description",
        {
            "$comment": "naftiko-gen dialect: a description documenting the credentials (real files carry one); it is documentation only.",
            "type": "string",
            "description": "What these credentials are and where to obtain them.",
        },
    )

# --- empty lists: a capability that exposes nothing yet still compiles --------
for defname, field in [
    ("ConsumesHttp", "resources"), ("ExposesRest", "resources"), ("ExposesMcp", "tools"),
    ("ExposedResource", "operations"), ("ConsumedHttpResource", "operations"),
]:
    node = d[defname]["properties"][field]
    if node.pop("minItems", None) is not None:
        node["$comment"] = "naftiko-gen dialect: may be empty (a warning says the adapter exposes or consumes nothing)."

# --- array outputs without items: an array of anything -----------------------
for defname in ("MappedOutputParameterArray", "ConsumedOutputParameterArray", "OrchestratedOutputParameterArray"):
    node = d.get(defname)
    if node is None:
        continue
    for part in node.get("allOf", [node]):
        if "items" in part.get("required", []):
            part["required"].remove("items")
            if not part["required"]:
                del part["required"]
            part["$comment"] = "naftiko-gen dialect: `items` may be omitted: an array of anything."

# --- binary answers ------------------------------------------------------------
f["enum"] = f["enum"] + ["binary"]
f["$comment"] += " `binary` passes the upstream bytes through unchanged, with their content type."

# --- locations: the official tutorial's forms ----------------------------------
d["FileLocation"] = {
    "$comment": "naftiko-gen dialect: a `file:` URI (`file:///./shared/x.yaml`, `file://./x.yaml`, `file:///abs/x.yaml`) or a bare relative path (`./shared/x.yaml`); any other scheme, or a file outside the spec's folder, is refused with NG212. The official schema asks for `file:///`.",
    "type": "string",
    "description": "A local file: a `file:` URI or a path relative to the spec's folder.",
    "minLength": 1,
}
for defname, field in [
    ("McpResource", "location"), ("McpPrompt", "location"), ("ExposedSkill", "location"),
    ("ScriptingManagementSpec", "defaultLocation"), ("ImportedConsumesHttp", "location"),
]:
    retarget(d[defname], field, "#/$defs/FileLocation", "naftiko-gen dialect: see FileLocation.")
retarget(
    d["OperationStepScript"]["allOf"][1], "location", "#/$defs/FileLocation",
    "naftiko-gen dialect: see FileLocation.",
)
d["UriLocation"]["pattern"] = "^(?:[a-zA-Z][a-zA-Z0-9+.-]*:.+|[^:]+)$"
d["UriLocation"]["$comment"] = "naftiko-gen dialect: a bare relative path (`./shared/secrets.yaml`) is a local file, as `file://./shared/secrets.yaml` is."

out = REPO / "schemas" / "naftiko-capability.schema.json"
out.write_text(json.dumps(s, indent=2, ensure_ascii=False) + "\n")
print("written", out)
