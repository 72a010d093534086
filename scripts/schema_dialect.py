"""The real-world forms naftiko-gen accepts beyond the official schemas (DESIGN.md section 2),
written once and applied to both languages by ``scripts/build_schema.py``.

Every departure from an official schema carries a ``$comment`` starting with
``naftiko-gen dialect:``.
"""

import copy

LABEL = {
    "$comment": "naftiko-gen dialect: resource names are labels, never identifiers (`users-@me`, `v1-Invoice Items`, `#CreateBackup`, `oauth-token?refresh`); generated names are derived through one sanitiser.",
    "type": "string",
    "description": "A non-empty label.",
    "minLength": 1,
}
NAMESPACE = {
    "$comment": "naftiko-gen dialect: namespaces may use `_` and `:` as well as the official kebab-case; the first `.` of a `call` ends the namespace, so it holds none.",
    "type": "string",
    "description": "A namespace: letters, digits, `-`, `_` and `:`.",
    "pattern": "^[a-zA-Z0-9_:-]+$",
}
NAME = {
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
PARAMETER_NAME = {
    "$comment": "naftiko-gen dialect: parameter wire names are whatever the upstream API uses (`id.project`, `fields[]`, `page[limit]`, `$orderBy`, `If-Match`, `StartTime<`, ``filter[cvss.base.score][`$op`]``). The official schema allows only IdentifierExtended. Generated code maps each to a distinct Python identifier and keeps the wire name.",
    "type": "string",
    "description": "Wire name of a parameter: any non-empty string.",
    "minLength": 1,
}
HTTP_HEADER_NAME = {
    "$comment": "naftiko-gen dialect: used by ConsumesHttp.headers.",
    "type": "string",
    "description": "HTTP header field name (an RFC 9110 token).",
    "pattern": "^[a-zA-Z0-9!#$%&'*+.^_`|~-]+$",
}
FILE_LOCATION = {
    "$comment": "naftiko-gen dialect: a `file:` URI (`file:///./shared/x.yaml`, `file://./x.yaml`, `file:///abs/x.yaml`) or a bare relative path (`./shared/x.yaml`); any other scheme, or a file outside the spec's folder, is refused with NG212. The official schema asks for `file:///`.",
    "type": "string",
    "description": "A local file: a `file:` URI or a path relative to the spec's folder.",
    "minLength": 1,
}
CONSUMED_PARAMETER_FIELDS = {
    "type": {
        "$comment": "naftiko-gen dialect: consumed input parameters may declare their type (as exposed ones do).",
        "type": "string",
        "description": "The expected data type of the parameter. Defaults to `string`.",
        "enum": ["string", "number", "integer", "boolean", "array", "object"],
    },
    "required": {
        "$comment": "naftiko-gen dialect: consumed input parameters may say whether they are required.",
        "type": "boolean",
        "description": "Whether the parameter is required. Defaults to true; path parameters are always required.",
        "default": True,
    },
    "description": {
        "$comment": "naftiko-gen dialect: consumed input parameters may carry a description (used for derived MCP tool arguments).",
        "type": "string",
        "description": "A meaningful description of the parameter.",
    },
}
PATH_COMMENT = "naftiko-gen dialect: placeholders may be written `{x}` or `{{x}}`, and need not be declared in inputParameters (the official schema has no pattern here either, so nothing is relaxed)."
EMPTY_COMMENT = "naftiko-gen dialect: may be empty (a warning says the adapter exposes or consumes nothing)."
WHAT_REFS_NAME = [
    ("AggregateFunction", "call"),
    ("McpTool", "ref"),
    ("McpTool", "call"),
    ("McpResource", "call"),
    ("ExposedOperation", "ref"),
    ("ExposedOperation", "call"),
]
"""Where a ``call`` or ``ref`` (``namespace.name``) is written (the step's ``call`` aside)."""
LOCATIONS = [
    ("McpResource", "location"),
    ("McpPrompt", "location"),
    ("ExposedSkill", "location"),
    ("ScriptingManagementSpec", "defaultLocation"),
]
"""Where a file location is written in both languages (the step's ``location`` aside)."""
AUTHENTICATIONS = ("AuthBasic", "AuthApiKey", "AuthBearer", "AuthDigest", "AuthOAuth2")


def insert_after(obj, after, key, value):
    """Insert ``key: value`` into ``obj`` right after ``after`` (key order is kept)."""
    items = list(obj.items())
    out = {}
    for k, v in items:
        out[k] = v
        if k == after:
            out[key] = value
    obj.clear()
    obj.update(out)


def retarget(node, field, target, comment):
    """Point ``node.properties[field]`` at ``target``, keeping its description."""
    old = node["properties"][field]
    node["properties"][field] = {"$comment": comment, "$ref": target}
    if "description" in old:
        node["properties"][field]["description"] = old["description"]


def extend_methods(d, defnames):
    """HEAD and OPTIONS beside the official GET, POST, PUT, PATCH, DELETE."""
    for defname in defnames:
        m = d[defname]["properties"]["method"]
        m["enum"] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
        m["$comment"] = (
            "naftiko-gen dialect: HEAD and OPTIONS are accepted in addition to the official GET, POST, PUT, PATCH, DELETE."
        )
        ordered = {"$comment": m.pop("$comment")}
        ordered.update(m)
        d[defname]["properties"]["method"] = ordered


def text_format(f):
    """``outputRawFormat: text``; returns the format's node."""
    f["enum"] = f["enum"] + ["text"]
    f["$comment"] = (
        "naftiko-gen dialect: `text` (a plain-text or event-stream response, returned as one string) is used by real capabilities (Anthropic managed-agents sessions stream)."
    )
    return f


def consumed_api(ch):
    """Static ``headers`` and the relaxed ``baseUri`` of a consumed HTTP API."""
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


def rest_description(er):
    """A ``description`` on the REST adapter."""
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


def passthrough_object(obj):
    """The object output without ``properties`` that returns the upstream body unchanged;
    ``obj`` is the part of the definition that requires ``properties``."""
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
    return new_obj


def operation_path(properties):
    """An exposed operation's own ``path`` below its resource's."""
    insert_after(
        properties,
        "method",
        "path",
        {
            "$comment": "naftiko-gen dialect: an operation may carry its own path below its resource's (`/v2/pipelines/{pipeline}` under `/v2/pipelines`); a relative path is appended to the resource's.",
            "type": "string",
            "description": "Path of this operation when it differs from its resource's (supports {{param}} placeholders).",
        },
    )


def authentication_descriptions(d):
    """A documentation-only ``description`` on every authentication block."""
    for defname in AUTHENTICATIONS:
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


def may_be_empty(node, keyword):
    """Drop ``keyword`` (``minItems``/``minProperties``) from a list or map that may be empty."""
    if node.pop(keyword, None) is not None:
        node["$comment"] = EMPTY_COMMENT


def items_optional(node):
    """``items`` may be omitted from an array output (an array of anything)."""
    for part in node.get("allOf", [node]):
        if "items" in part.get("required", []):
            part["required"].remove("items")
            if not part["required"]:
                del part["required"]
            part["$comment"] = "naftiko-gen dialect: `items` may be omitted: an array of anything."


def bare_uri_location(d):
    """A bare relative path is a local file wherever a URI location is asked for."""
    d["UriLocation"]["pattern"] = "^(?:[a-zA-Z][a-zA-Z0-9+.-]*:.+|[^:]+)$"
    d["UriLocation"]["$comment"] = "naftiko-gen dialect: a bare relative path (`./shared/secrets.yaml`) is a local file, as `file://./shared/secrets.yaml` is."


def consumed_parameter_fields():
    """Fresh copies of the consumed input parameters' ``type``, ``required``, ``description``."""
    return copy.deepcopy(CONSUMED_PARAMETER_FIELDS)
