"""Compare the public surfaces of two versions of a capability and classify every change.

Breaking: what worked for an existing client, agent or deployment may stop working: a
route, tool, resource, prompt or adapter removed or renamed; an argument removed, added as
required or made required; an argument type narrowed or changed, an enum value removed; a
tool guarantee weakened (``readOnly`` → not read-only, not destructive → destructive,
idempotent → not, closed → open world); an answer's schema loosened (a property removed, a
type widened, an enum value added, the schema dropped); callers newly asked to
authenticate; a port or transport changed; a setting newly required; the package renamed.

Non-breaking: everything that only adds or relaxes: new routes, tools, resources, prompts
and adapters; new optional arguments; types widened and enum values added in arguments
(narrowed or removed in answers); guarantees strengthened; descriptions and titles;
settings added as optional, removed, or with a new default.

Inputs and answers are compared in opposite directions: a client may send what the
old version accepted, and relies on what the old version answered.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar

from .changes import Change
from .schemadiff import SchemaComparer
from .surface import (
    Adapter,
    Exposed,
    Prompt,
    Resource,
    Route,
    Setting,
    Surface,
    Tool,
    adapter_renames,
)

T = TypeVar("T", bound=Exposed)

_ANNOTATIONS = (
    ("read_only", True, "read-only", "readOnlyHint"),
    ("destructive", False, "non-destructive", "destructiveHint"),
    ("idempotent", True, "idempotent", "idempotentHint"),
    ("open_world", False, "closed-world", "openWorldHint"),
)
"""Annotation, the value that is a guarantee to clients, how to say it, its MCP name."""


@dataclasses.dataclass(frozen=True)
class _Kind(Generic[T]):
    """How the two versions of one kind of element pair (by adapter and ``key``) and how
    messages name them (``noun``, then ``name``, prefixed by the adapter's namespace when the
    package has several adapters of the kind ``server``). ``target``: the upstream operation
    one calls, which pairs a removed and an added one as renamed (empty: never)."""

    noun: str
    key: Callable[[T], Hashable]
    name: Callable[[T], str]
    server: str = ""
    target: Callable[[T], str] = lambda _: ""


_ROUTES = _Kind[Route]("route", lambda r: r.shape, lambda r: r.label, "rest", lambda r: r.target)
_TOOLS = _Kind[Tool]("tool", lambda t: t.name, lambda t: t.name, "mcp", lambda t: t.target)
_RESOURCES = _Kind[Resource]("resource", lambda r: r.uri, lambda r: r.uri)
_PROMPTS = _Kind[Prompt]("prompt", lambda p: p.name, lambda p: p.name)


def compare(old: Surface, new: Surface) -> list[Change]:
    """Every change from ``old`` to ``new``, in the order the surfaces list them."""
    differ = _Differ(old, new)
    differ.run()
    return differ.changes


class _Differ:
    def __init__(self, old: Surface, new: Surface) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.inputs = SchemaComparer(self.emit, "input")
        self.outputs = SchemaComparer(self.emit, "output")
        self.renamed = adapter_renames(old.adapters, new.adapters)
        self.several = {
            kind
            for kind in ("rest", "mcp")
            if max(sum(a.kind == kind for a in s.adapters) for s in (old, new)) > 1
        }

    def emit(self, breaking: bool, kind: str, name: str, message: str, location: str) -> None:
        self.changes.append(Change(breaking, kind, name, message, location))

    def adapter_of(self, namespace: str) -> str:
        """An old adapter namespace as the new version calls it (renames paired)."""
        return self.renamed.get(namespace, namespace)

    def prefix(self, kind: str, namespace: str) -> str:
        return f"{namespace}/" if kind in self.several else ""

    def run(self) -> None:
        if self.old.package != self.new.package:
            self.emit(
                True,
                "package-renamed",
                "package",
                f"the package `{self.old.package}` is renamed `{self.new.package}`: "
                f"`python -m {self.old.package}` and its imports no longer exist",
                self.new.where,
            )
        self.adapters()
        self.matched(_ROUTES, self.old.routes, self.new.routes, self.route)
        self.matched(_TOOLS, self.old.tools, self.new.tools, self.tool)
        self.matched(_RESOURCES, self.old.resources, self.new.resources, self.resource)
        self.matched(_PROMPTS, self.old.prompts, self.new.prompts, self.prompt)
        self.settings()

    # ----------------------------------------------------------------- adapters

    def adapters(self) -> None:
        old = {(self.adapter_of(a.namespace), a.kind): a for a in self.old.adapters}
        new = {(a.namespace, a.kind): a for a in self.new.adapters}
        for key, before in old.items():
            after = new.get(key)
            name = f"{before.kind} adapter {key[0]}"
            if after is None:
                self.emit(
                    True,
                    "adapter-removed",
                    name,
                    f"the {before.kind} adapter `{before.namespace}` was removed",
                    before.where,
                )
                continue
            self.adapter(name, before, after)
        for key, after in new.items():
            if key not in old:
                self.emit(
                    False,
                    "adapter-added",
                    f"{after.kind} adapter {after.namespace}",
                    f"the {after.kind} adapter `{after.namespace}` was added",
                    after.where,
                )

    def adapter(self, name: str, before: Adapter, after: Adapter) -> None:
        if before.port != after.port:
            self.emit(
                True,
                "port-changed",
                name,
                f"the default port of `{after.namespace}` changed from {before.port} to "
                f"{after.port}: clients of the default port no longer reach it",
                after.where,
            )
        if before.transport != after.transport:
            self.emit(
                True,
                "transport-changed",
                name,
                f"the transport of `{after.namespace}` changed from {before.transport} to "
                f"{after.transport}",
                after.where,
            )
        if before.authentication != after.authentication:
            if after.authentication is None:
                self.emit(
                    False,
                    "authentication-removed",
                    name,
                    f"`{after.namespace}` no longer asks callers to authenticate",
                    after.where,
                )
            elif before.authentication is None:
                self.emit(
                    True,
                    "authentication-added",
                    name,
                    f"`{after.namespace}` now asks callers for {after.authentication} "
                    "credentials",
                    after.where,
                )
            else:
                self.emit(
                    True,
                    "authentication-changed",
                    name,
                    f"`{after.namespace}` now asks for {after.authentication} instead of "
                    f"{before.authentication} credentials",
                    after.where,
                )

    # ----------------------------------------------------------------- routes

    def route(self, name: str, before: Route, after: Route) -> None:
        self.text_change(name, "description", before.description, after.description, after.where)
        old = {(p.location, p.name): p for p in before.params}
        new = {(p.location, p.name): p for p in after.params}
        for key, param in old.items():
            if key in new or param.location == "path":
                continue  # a renamed path variable changes nothing for a client
            self.emit(
                True,
                "parameter-removed",
                f"{name} {param.location} parameter {param.name}",
                f"the {param.location} parameter `{param.name}` of {after.label} was " "removed",
                after.where,
            )
        for key, param in new.items():
            item = f"{name} {param.location} parameter {param.name}"
            previous = old.get(key)
            if previous is None:
                if param.location == "path":
                    continue
                self.emit(
                    param.required,
                    "parameter-added-required" if param.required else "parameter-added",
                    item,
                    f"{after.label} takes a new "
                    f"{'required' if param.required else 'optional'} {param.location} "
                    f"parameter `{param.name}`",
                    param.where,
                )
                continue
            self.required_change(
                item,
                f"the {param.location} parameter `{param.name}` of " f"{after.label}",
                previous.required,
                param.required,
                param.where,
                "parameter",
            )
            self.inputs.schema(item, previous.schema, param.schema, param.where)
        self.output(name, before.output, after.output, after.where)

    # ----------------------------------------------------------------- tools

    def tool(self, name: str, before: Tool, after: Tool) -> None:
        self.text_change(name, "title", before.title or "", after.title or "", after.where)
        self.text_change(name, "description", before.description, after.description, after.where)
        for field, guarantee, adjective, hint in _ANNOTATIONS:
            was, now = before.annotations[field], after.annotations[field]
            if was == now:
                continue
            weakened = was == guarantee
            self.emit(
                weakened,
                f"{adjective}-removed" if weakened else f"{adjective}-added",
                f"{name} {hint}",
                f"tool `{after.name}` is {'no longer' if weakened else 'now'} {adjective} "
                f"({hint} {str(was).lower()} → {str(now).lower()})",
                after.where,
            )
        self.arguments(name, before, after)
        self.output(name, before.output, after.output, after.where)

    def arguments(self, name: str, before: Tool, after: Tool) -> None:
        self.inputs.object_schema(
            name,
            before.input_schema,
            after.input_schema,
            after.where,
            where_of=lambda argument: after.arguments_where.get(argument, after.where),
        )

    # ----------------------------------------------------------------- resources, prompts

    def resource(self, name: str, before: Resource, after: Resource) -> None:
        self.text_change(name, "description", before.description, after.description, after.where)
        if before.mime_type != after.mime_type:
            self.emit(
                True,
                "mime-type-changed",
                name,
                f"resource `{after.uri}` is now served as {after.mime_type or 'unspecified'}"
                f" instead of {before.mime_type or 'unspecified'}",
                after.where,
            )

    def prompt(self, name: str, before: Prompt, after: Prompt) -> None:
        self.text_change(name, "title", before.title or "", after.title or "", after.where)
        self.text_change(name, "description", before.description, after.description, after.where)
        for argument in before.arguments:
            if argument not in after.arguments:
                self.emit(
                    True,
                    "argument-removed",
                    f"{name} argument {argument}",
                    f"the argument `{argument}` of prompt `{after.name}` was removed",
                    after.where,
                )
        for argument, required in after.arguments.items():
            item = f"{name} argument {argument}"
            if argument not in before.arguments:
                self.emit(
                    required,
                    "argument-added-required" if required else "argument-added",
                    item,
                    f"prompt `{after.name}` takes a new "
                    f"{'required' if required else 'optional'} argument `{argument}`",
                    after.where,
                )
                continue
            self.required_change(
                item,
                f"the argument `{argument}` of prompt `{after.name}`",
                before.arguments[argument],
                required,
                after.where,
                "argument",
            )
            self.text_change(
                item,
                "description",
                before.argument_descriptions[argument],
                after.argument_descriptions[argument],
                after.where,
            )

    # ----------------------------------------------------------------- settings

    def settings(self) -> None:
        old = {s.name: s for s in self.old.settings}
        new = {s.name: s for s in self.new.settings}
        for gone in (setting for setting in self.old.settings if setting.name not in new):
            message = f"`{gone.name}` ({gone.description}) is no longer read"
            self.emit(False, "setting-removed", f"setting {gone.name}", message, gone.where)
        for setting_name, after in new.items():
            self.setting(old.get(setting_name), after)

    def setting(self, before: Setting | None, after: Setting) -> None:
        name = f"setting {after.name}"
        if before is None:
            self.emit(
                after.required,
                "setting-required" if after.required else "setting-added",
                name,
                f"`{after.name}` ({after.description}) is a new "
                f"{'required' if after.required else 'optional'} setting",
                after.where,
            )
            return
        if before.required != after.required:
            self.emit(
                after.required,
                "setting-required" if after.required else "setting-optional",
                name,
                f"`{after.name}` is now {'required' if after.required else 'optional'}",
                after.where,
            )
        elif before.default != after.default and not after.required:
            self.emit(
                False,
                "setting-default-changed",
                name,
                f"the default of `{after.name}` changed from {before.default!r} to "
                f"{after.default!r}",
                after.where,
            )

    # ----------------------------------------------------------------- shared

    def matched(
        self,
        kind: _Kind[T],
        old_elements: Sequence[T],
        new_elements: Sequence[T],
        same: Callable[[str, T, T], None],
    ) -> None:
        """Pair elements by adapter (renamed adapters paired) and ``kind.key``; a removed and an
        added one calling the same upstream operation (with nothing else claiming it) are
        one renamed element."""
        old = {(self.adapter_of(e.adapter), kind.key(e)): e for e in old_elements}
        new = {(e.adapter, kind.key(e)): e for e in new_elements}
        removed = [key for key in old if key not in new]
        added = [key for key in new if key not in old]
        renames: dict[Any, Any] = {}
        by_target: dict[str, list[Any]] = {}
        for key in added:
            by_target.setdefault(kind.target(new[key]), []).append(key)
        gone: dict[str, list[Any]] = {}
        for key in removed:
            gone.setdefault(kind.target(old[key]), []).append(key)
        for goal, keys in gone.items():
            if goal and len(keys) == 1 and len(by_target.get(goal, [])) == 1:
                renames[keys[0]] = by_target[goal][0]

        def label(element: T) -> str:
            return f"{kind.noun} {self.prefix(kind.server, element.adapter)}{kind.name(element)}"

        for key, before in old.items():
            if key in new:
                same(label(new[key]), before, new[key])
            elif key in renames:
                after = new[renames[key]]
                self.emit(
                    True,
                    f"{kind.noun}-renamed",
                    label(before),
                    f"{label(before)} was renamed: it is now {label(after)}",
                    after.where,
                )
                same(label(after), before, after)
            else:
                self.emit(
                    True,
                    f"{kind.noun}-removed",
                    label(before),
                    f"{label(before)} was removed",
                    before.where,
                )
        for key, after in new.items():
            if key not in old and key not in renames.values():
                self.emit(
                    False,
                    f"{kind.noun}-added",
                    label(after),
                    f"{label(after)} was added",
                    after.where,
                )

    def text_change(self, name: str, field: str, before: str, after: str, where: str) -> None:
        if before != after:
            self.emit(False, f"{field}-changed", name, f"the {field} of {name} changed", where)

    def required_change(
        self, name: str, what: str, was: bool, now: bool, where: str, noun: str
    ) -> None:
        if was != now:
            self.emit(
                now,
                f"{noun}-now-required" if now else f"{noun}-now-optional",
                name,
                f"{what} is now {'required' if now else 'optional'}",
                where,
            )

    def output(self, name: str, before: Any, after: Any, where: str) -> None:
        item = f"{name} output"
        if before is None and after is None:
            return
        if after is None:
            self.emit(
                True,
                "output-schema-removed",
                item,
                f"{name} no longer declares the shape of its answer",
                where,
            )
        elif before is None:
            self.emit(
                False,
                "output-schema-added",
                item,
                f"{name} now declares the shape of its answer",
                where,
            )
        else:
            self.outputs.schema(item, before, after, where, owner=name)
