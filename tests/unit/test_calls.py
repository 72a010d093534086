"""Which consumed operation an ambiguous ``call`` means (naftiko_codegen.lowering.calls)."""

from __future__ import annotations

from naftiko_codegen import ir
from naftiko_codegen.lowering.calls import CallSite, call_positions, choose, path_shape


def operation(path: str, resource: str = "") -> ir.ConsumedOperation:
    return ir.ConsumedOperation(
        namespace="api",
        name="post",
        ident="post",
        method="POST",
        path=path,
        segments=(),
        params=(),
        description="",
        static_query=(),
        body_param=None,
        resource=resource,
    )


ACTIONS = operation("/orgs/{org}/actions/secrets/{secret_name}", "orgs-org-actions-secrets")
DEPENDABOT = operation("/orgs/{org}/dependabot/secrets/{secret_name}", "orgs-org-dependabot")


def test_path_shape() -> None:
    assert path_shape("/orgs/{org}/Secret_Name?x=1") == ("orgs", "{}", "secret-name")
    assert path_shape("/a/{{b}}/") == ("a", "{}")


def test_the_path_decides_whatever_the_adapter_prefix() -> None:
    site = CallSite(path="/v1/orgs/{org}/dependabot/secrets/{secret-name}")
    assert choose([ACTIONS, DEPENDABOT], site) is DEPENDABOT


def test_then_the_resource_name() -> None:
    same = [operation("/items", "items-a"), operation("/items", "items_b")]
    assert choose(same, CallSite(path="/v1/items", resource="items-b")) is same[1]


def test_then_the_position() -> None:
    same = [operation("/x"), operation("/y")]
    assert choose(same, CallSite(position=0)) is same[0]
    assert choose(same, CallSite(position=1)) is same[1]
    assert choose(same, CallSite(position=2)) is None


def test_call_positions_count_earlier_identical_calls() -> None:
    assert call_positions(["a.x", "a.y", "a.x", None, "a.x", None]) == [0, 0, 1, 0, 2, 1]
