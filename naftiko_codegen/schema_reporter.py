"""Turns jsonschema errors into :class:`~naftiko_codegen.schema_issues.Issue` values: a failed
``oneOf`` reduced to the alternative the author meant, unknown keys one by one, missing keys
with the misspelling that explains them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .diagnostics import Path, describe_value
from .schema_issues import (
    DISCRIMINATORS,
    Branch,
    Issue,
    dedupe,
    exclusion,
    is_deep_mismatch,
    is_discriminating,
    merge_root_alternatives,
    other_issue,
    type_issue,
)
from .schema_words import (
    add_unique,
    as_list,
    close_match,
    invalid_value_message,
    join_words,
    keys_list,
    literal_text,
    one_of_text,
    pattern_description,
    pattern_hint,
    present_keys,
    suggestion,
)


class Reporter:
    """Turns jsonschema errors into issues, reducing alternatives to the intended one."""

    def __init__(self, schema: Mapping[str, Any], validator: Any) -> None:
        self.schema = schema
        self.validator = validator
        """The validator of ``schema`` (alternatives are re-validated one by one)."""

    # ----------------------------------------------------------------- schema helpers

    def resolve(self, schema: Any) -> Any:
        """Follow local ``$ref`` chains (``#/$defs/...``) to the referenced schema."""
        seen = 0
        while isinstance(schema, Mapping) and "$ref" in schema and seen < 20:
            ref = schema["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                break
            target: Any = self.schema
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            schema, seen = target, seen + 1
        return schema

    def _parts(self, schema: Any) -> Iterator[Mapping[str, Any]]:
        """The schema and everything it applies in place unconditionally ($ref, allOf)."""
        stack, seen = [schema], 0
        while stack and seen < 50:
            current = stack.pop()
            seen += 1
            if not isinstance(current, Mapping):
                continue
            yield current
            if "$ref" in current:
                stack.append(self.resolve({"$ref": current["$ref"]}))
            stack.extend(reversed(current.get("allOf", [])))

    def property_names(self, schema: Any) -> list[str]:
        names: dict[str, None] = {}
        for part in self._parts(schema):
            properties = part.get("properties")
            if isinstance(properties, Mapping):
                names.update(dict.fromkeys(properties))
        return list(names)

    def required_keys(self, schema: Any) -> list[str]:
        keys: dict[str, None] = {}
        for part in self._parts(schema):
            keys.update(dict.fromkeys(k for k in part.get("required", []) if isinstance(k, str)))
        return list(keys)

    def allowed_values(self, schema: Any, key: str) -> list[Any]:
        values: list[Any] = []
        for part in self._parts(schema):
            properties = part.get("properties")
            if not isinstance(properties, Mapping) or key not in properties:
                continue
            for prop in self._parts(properties[key]):
                if "const" in prop:
                    add_unique(values, [prop["const"]])
                if isinstance(prop.get("enum"), list):
                    add_unique(values, prop["enum"])
        return values

    # ----------------------------------------------------------------- reduction

    def reduce(self, error: Any) -> list[Issue]:
        """The issues to report for one jsonschema error (alternatives reduced)."""
        if error.validator in ("oneOf", "anyOf"):
            if error.context:
                return self.alternatives(error)
            if error.validator == "oneOf":
                return [self.ambiguous(error)]
        return self.describe(error)

    def alternatives(self, error: Any) -> list[Issue]:
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        options: Sequence[Any] = error.validator_value
        grouped: dict[int, list[Any]] = {}
        for sub in error.context:
            grouped.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
        branches: list[Branch] = []
        for index in sorted(grouped):
            issues = dedupe(i for sub in grouped[index] for i in self.reduce(sub))
            required = self.required_keys(options[index])
            present = sum(1 for k in required if k in instance) if isinstance(instance, dict) else 0
            root_required = [i for i in issues if i.keyword == "required" and i.path == base]
            branches.append(
                Branch(
                    index=index,
                    issues=issues,
                    excluded=exclusion(issues, base),
                    root_missing=len(root_required),
                    deep_mismatches=sum(1 for i in issues if is_deep_mismatch(i, base)),
                    required=len(required),
                    required_present=present,
                    missing_discriminators=[
                        i.subject for i in root_required if i.subject in DISCRIMINATORS
                    ],
                    depth=max((len(i.path) - len(base) for i in issues), default=0),
                )
            )
        candidates = [b for b in branches if b.excluded is None]
        if not candidates:
            return self.no_alternative(error, branches)
        best = min(
            candidates,
            key=lambda b: (
                b.required > 0 and b.required_present == 0,
                b.root_missing + b.deep_mismatches,
                len(b.issues),
                -b.required_present,
                len(b.missing_discriminators),
                -b.depth,
                b.index,
            ),
        )
        if len(candidates) > 1:
            merged = merge_root_alternatives(candidates, base)
            if merged is not None:
                return [merged]
        issues = [self.fill_discriminator(i, options[best.index], best) for i in best.issues]
        if len(candidates) > 1:
            if best.root_missing:
                issues = self.alternatives_hint(issues, best, candidates, options, base)
            switches = self.discriminator_switches(best, candidates, options)
            if switches:
                hint = "or set " + join_words(switches, "or", quote=False)
                issues = [dataclasses.replace(i, hint=i.hint or hint) for i in issues]
        return issues

    def alternatives_hint(
        self,
        issues: list[Issue],
        best: Branch,
        candidates: Sequence[Branch],
        options: Sequence[Any],
        base: Path,
    ) -> list[Issue]:
        """Keys missing in the likeliest alternative: list the keys each alternative lacks."""
        ways: list[str] = []
        for branch in [best] + [b for b in candidates if b is not best and b.root_missing]:
            keys = []
            for issue in branch.issues:
                if issue.subject is None or issue.keyword != "required" or issue.path != base:
                    continue
                values = (
                    self.allowed_values(options[branch.index], issue.subject)
                    if issue.subject in branch.missing_discriminators
                    else []
                )
                keys.append(f"{issue.subject}: {values[0]}" if len(values) == 1 else issue.subject)
            add_unique(ways, [join_words(keys, "and")])
        if len(ways) < 2:
            return issues
        hint = "add " + "; or ".join(ways)
        return [
            (
                dataclasses.replace(i, hint=i.hint or hint)
                if i.keyword == "required" and i.path == base
                else i
            )
            for i in issues
        ]

    def fill_discriminator(self, issue: Issue, option: Any, branch: Branch) -> Issue:
        """A missing ``type``-like key in the chosen alternative: name the value that fits."""
        if issue.subject not in branch.missing_discriminators or issue.keyword != "required":
            return issue
        values = self.allowed_values(option, issue.subject)
        if len(values) != 1:
            return issue
        setting = f"`{issue.subject}: {values[0]}`"
        return dataclasses.replace(
            issue, expected=setting, hint=issue.hint or f"the other keys fit {setting}"
        )

    def discriminator_switches(
        self, best: Branch, candidates: Sequence[Branch], options: Sequence[Any]
    ) -> list[str]:
        """Other alternatives that only lack a discriminator (``transport: stdio``)."""
        switches: list[str] = []
        for branch in candidates:
            if branch is best or not branch.missing_discriminators:
                continue
            if len(branch.issues) != len(branch.missing_discriminators):
                continue
            for key in branch.missing_discriminators:
                for value in self.allowed_values(options[branch.index], key):
                    add_unique(switches, [f"`{key}: {value}`"])
        return switches

    def no_alternative(self, error: Any, branches: list[Branch]) -> list[Issue]:
        """Every alternative is ruled out by its type or discriminator: say which would fit."""
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        if all(b.excluded == "type" for b in branches):
            types: list[Any] = []
            for branch in branches:
                for issue in branch.issues:
                    if issue.keyword == "type" and issue.path == base:
                        add_unique(types, issue.allowed)
            return [type_issue(base, types, instance)]
        shaped = [b for b in branches if b.excluded == "discriminator"]
        key = next(
            (
                i.subject
                for b in shaped
                for i in b.issues
                if i.subject in DISCRIMINATORS and is_discriminating(i, base)
            ),
            "type",
        )
        values: list[Any] = []
        for branch in shaped:
            add_unique(values, self.allowed_values(error.validator_value[branch.index], key))
        expected = one_of_text(values) if values else None
        if isinstance(instance, dict) and key in instance:
            value = instance[key]
            return [
                Issue(
                    path=base + (key,),
                    code="NG103",
                    message=invalid_value_message(value, key),
                    keyword="enum",
                    expected=expected,
                    found=describe_value(value),
                    hint=suggestion(value, values),
                    subject=key,
                    allowed=tuple(values),
                )
            ]
        return [
            Issue(
                path=base,
                code="NG102",
                message=f"missing required key `{key}`",
                keyword="required",
                expected=expected,
                found=present_keys(instance),
                subject=key,
            )
        ]

    def ambiguous(self, error: Any) -> Issue:
        """A ``oneOf`` matched more than one alternative."""
        base: Path = tuple(error.absolute_path)
        instance = error.instance
        validator = self.validator
        matching = [
            option
            for option in error.validator_value
            if validator.evolve(schema=option).is_valid(instance)
        ]
        keys: list[str] = []
        if isinstance(instance, dict):
            for option in matching:
                add_unique(keys, [k for k in self.required_keys(option) if k in instance])
        if len(keys) >= 2:
            return Issue(
                path=base,
                code="NG104",
                message=f"{join_words(keys, 'and')} cannot be used together",
                keyword="oneOf",
                expected=f"exactly one of {join_words(keys, 'or')}",
                found=present_keys(instance),
                hint="keep only one of them",
            )
        return Issue(
            path=base,
            code="NG104",
            message="matches more than one of the allowed forms",
            keyword="oneOf",
            expected="exactly one form",
            found=describe_value(instance),
        )

    # ----------------------------------------------------------------- single errors

    def describe(self, error: Any) -> list[Issue]:
        keyword = error.validator
        path: Path = tuple(error.absolute_path)
        instance = error.instance
        value = error.validator_value
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        if "propertyNames" in error.absolute_schema_path and isinstance(instance, str):
            return [self.bad_key(path, instance, keyword, schema)]
        if keyword in ("additionalProperties", "unevaluatedProperties"):
            return self.unknown_keys(path, instance, schema)
        if keyword == "required":
            return self.missing(path, instance, value, schema)
        if keyword == "type":
            return [type_issue(path, as_list(value), instance)]
        if keyword in ("enum", "const", "pattern"):
            subject = path[-1] if path and isinstance(path[-1], str) else None
            allowed: list[Any] = []
            if keyword == "pattern":
                expected, hint = pattern_description(value), pattern_hint(value, instance, subject)
            else:
                allowed = list(value) if keyword == "enum" else [value]
                expected = one_of_text(allowed) if keyword == "enum" else literal_text(value)
                hint = suggestion(instance, allowed)
            return [
                Issue(
                    path=path,
                    code="NG103",
                    message=invalid_value_message(instance, subject),
                    keyword=keyword,
                    expected=expected,
                    found=describe_value(instance),
                    hint=hint,
                    subject=subject,
                    allowed=tuple(allowed),
                )
            ]
        if keyword == "not":
            return self.forbidden(path, instance, value)
        return [other_issue(keyword, path, instance, value)]

    def bad_key(self, path: Path, name: str, keyword: str, schema: Mapping[str, Any]) -> Issue:
        """A mapping key rejected by ``propertyNames``."""
        expected = (
            pattern_description(schema["pattern"])
            if keyword == "pattern" and "pattern" in schema
            else None
        )
        return Issue.at_key(
            path,
            name,
            "NG103",
            f"invalid key {describe_value(name)}",
            keyword,
            expected=expected,
            found=describe_value(name),
            hint=pattern_hint(schema.get("pattern"), name, None),
        )

    def unknown_keys(self, path: Path, instance: Any, schema: Mapping[str, Any]) -> list[Issue]:
        if not isinstance(instance, dict):
            return []
        allowed = self.property_names(schema)
        patterns = list(schema.get("patternProperties", {}))
        unknown = [
            k for k in instance if k not in allowed and not any(re.search(p, k) for p in patterns)
        ]
        issues = []
        for name in unknown:
            close = close_match(name, tuple(allowed), 0.6)
            hint = f"did you mean `{close}`?" if close else None
            if hint is None and not allowed:
                hint = "this mapping takes no keys"
            expected = keys_list("one of", allowed) if allowed else "no keys"
            issues.append(
                Issue.at_key(
                    path,
                    name,
                    "NG100",
                    f"unknown key `{name}`",
                    "unknown",
                    expected=expected,
                    hint=hint,
                )
            )
        return issues

    def missing(
        self, path: Path, instance: Any, required: Any, schema: Mapping[str, Any]
    ) -> list[Issue]:
        if not isinstance(instance, dict):
            return []
        allowed = set(self.property_names(schema))
        strangers = [k for k in instance if k not in allowed] if allowed else []
        issues = []
        for name in required:
            if name in instance:
                continue
            hint = None
            close = close_match(name, tuple(strangers), 0.75) if strangers else None
            if close:
                hint = f"`{close}` looks like a misspelling of `{name}`"
            elif name == "properties" and instance.get("type") == "object":
                hint = (
                    "describe the fields under `properties`, or write `mapping: $.` "
                    "to return the upstream body unchanged"
                )
            issues.append(
                Issue(
                    path=path,
                    code="NG102",
                    message=f"missing required key `{name}`",
                    keyword="required",
                    expected=(
                        keys_list("required keys", list(required))
                        if len(required) > 1
                        else f"a `{name}` key"
                    ),
                    found=present_keys(instance),
                    hint=hint,
                    subject=name,
                )
            )
        return issues

    def forbidden(self, path: Path, instance: Any, not_schema: Any) -> list[Issue]:
        """A ``not`` failed: name the keys it forbids, at the keys, when it is about keys."""
        keys: list[str] = []
        if isinstance(instance, dict):
            stack = [self.resolve(not_schema)]
            while stack:
                current = stack.pop()
                if not isinstance(current, Mapping):
                    continue
                add_unique(keys, [k for k in current.get("required", []) if k in instance])
                stack.extend(self.resolve(s) for s in current.get("anyOf", []))
                stack.extend(self.resolve(s) for s in current.get("oneOf", []))
        if keys:
            return [
                Issue.at_key(
                    path,
                    name,
                    "NG104",
                    f"`{name}` is not allowed here",
                    "not",
                    expected=f"no `{name}` key in this form",
                    hint=f"remove `{name}`",
                )
                for name in keys
            ]
        return [
            Issue(
                path=path,
                code="NG104",
                message="value is not allowed here",
                keyword="not",
                found=describe_value(instance),
            )
        ]
