"""The intermediate representation: what templates read, with every reference resolved.

Every class is a frozen dataclass; the lowering phase (:mod:`naftiko_codegen.lower`)
builds them from a validated document and applies every default, so templates never
look at raw YAML and never decide anything the spec left implicit.

The classes live in one module per part of a capability; import them from here
(``from naftiko_codegen import ir``; ``ir.ConsumedOperation``)."""

from __future__ import annotations

from .capability import (
    BoundVariable,
    Capability,
    ControlAdapter,
    SkillAdapter,
)
from .consumes import (
    AnswerSchema,
    Authentication,
    BaseUriPlaceholder,
    ConsumedApi,
    ConsumedOperation,
    ConsumedParam,
    OAuth2,
    OperationContract,
    PathSegment,
)
from .mcp import (
    CacheHint,
    McpAdapter,
    McpFileResource,
    McpPrompt,
    McpResource,
    McpTool,
    PromptArgument,
    ToolAnnotations,
)
from .rest import (
    RestAdapter,
    RestForward,
    RestOperation,
)
from .units import (
    ExposedInput,
    Invocation,
    LookupStep,
    Output,
    ScriptStep,
    Shape,
    Step,
)
from .values import (
    BodyTemplate,
    ContextRef,
    Json,
    ParamLocation,
    ParamType,
    PathStep,
    RequestBody,
    TemplatePart,
    ValueSource,
    schema_type,
)

__all__ = [
    "ParamLocation",
    "ParamType",
    "Json",
    "schema_type",
    "TemplatePart",
    "PathStep",
    "ContextRef",
    "ValueSource",
    "RequestBody",
    "BodyTemplate",
    "ConsumedParam",
    "PathSegment",
    "OperationContract",
    "ConsumedOperation",
    "AnswerSchema",
    "Authentication",
    "OAuth2",
    "BaseUriPlaceholder",
    "ConsumedApi",
    "ExposedInput",
    "Shape",
    "Output",
    "Invocation",
    "LookupStep",
    "ScriptStep",
    "Step",
    "RestOperation",
    "RestForward",
    "RestAdapter",
    "ToolAnnotations",
    "McpTool",
    "McpResource",
    "McpFileResource",
    "PromptArgument",
    "McpPrompt",
    "CacheHint",
    "McpAdapter",
    "ControlAdapter",
    "SkillAdapter",
    "BoundVariable",
    "Capability",
]
