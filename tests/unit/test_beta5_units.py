"""The beta5 front-end and the fields beta5 adds, on minimal documents."""

from __future__ import annotations

import textwrap

import pytest

from naftiko_codegen.diagnostics import Severity
from naftiko_codegen.frontends import BETA5, read
from naftiko_codegen.loader import load_text
from naftiko_codegen.lower import lower
from naftiko_codegen.lowering.beta5_fields import binary_size

SPEC = textwrap.dedent("""
    ikanos: 1.0.0-beta5
    info: {display: Units, description: Units.}
    capability:
      consumes:
        - type: http
          namespace: photos
          baseUri: https://photos.example
          resources:
            photo:
              display: Photo
              path: /photos/{{id}}
              operations:
                download:
                  method: GET
                  outputRawFormat: binary
                  inputParameters:
                    id: {in: path}
                thumbnail:
                  method: GET
                  outputRawFormat: binary
                  maxBinarySize: 512KiB
                  inputParameters:
                    id: {in: path}
      exposes:
        - type: mcp
          port: 9701
          namespace: photos-mcp
          maxBinarySize: 25MiB
          ttlMs: 1500
          tools:
            download:
              display: Download
              description: The photo.
              call: photos.download
    """).lstrip()


def lowered(text: str = SPEC) -> tuple[object, list[object]]:
    reading = read(load_text(text, "units.yaml"))
    assert reading.language is BETA5
    assert not [d for d in reading.diagnostics if d.severity is Severity.ERROR], reading.diagnostics
    return lower(reading.document)


def test_maps_keyed_by_name_become_named_lists() -> None:
    reading = read(load_text(SPEC, "units.yaml"))
    resource = reading.document.data["capability"]["consumes"][0]["resources"][0]
    assert resource["name"] == "photo" and resource["label"] == "Photo"
    assert [op["name"] for op in resource["operations"]] == ["download", "thumbnail"]
    assert resource["operations"][0]["inputParameters"] == [{"name": "id", "in": "path"}]


def test_positions_and_paths_are_those_written() -> None:
    document = read(load_text(SPEC, "units.yaml")).document
    path = ("capability", "consumes", 0, "resources", 0, "operations", 1, "maxBinarySize")
    diagnostic = document.diagnostic(path, "NG103", "x")
    assert (diagnostic.line, diagnostic.column) == (21, 30)
    assert diagnostic.json_path == (
        "$.capability.consumes[0].resources.photo.operations.thumbnail.maxBinarySize"
    )
    name = document.diagnostic(path[:-1] + ("name",), "NG204", "x")
    assert (name.line, name.json_path) == (
        18,
        "$.capability.consumes[0].resources.photo.operations.thumbnail",
    )


@pytest.mark.parametrize(
    ("text", "size"),
    [("512KiB", 512 * 1024), ("5MiB", 5 * 1024**2), ("1.5GiB", 3 * 1024**3 // 2), ("10B", 10)],
)
def test_binary_sizes(text: str, size: int) -> None:
    assert binary_size(text) == size


def test_max_binary_size_of_the_operation_else_the_adapters() -> None:
    capability, _ = lowered()
    download, thumbnail = capability.apis[0].operations  # type: ignore[attr-defined]
    assert thumbnail.max_bytes == 512 * 1024
    assert download.max_bytes == 25 * 1024**2


def test_ttl_alone_gives_a_private_cache_hint() -> None:
    capability, _ = lowered()
    hint = capability.mcp_adapters[0].cache_hint  # type: ignore[attr-defined]
    assert (hint.ttl_ms, hint.scope) == (1500, "private")


def test_a_negative_ttl_is_an_error() -> None:
    _, diagnostics = lowered(SPEC.replace("ttlMs: 1500", "ttlMs: -1"))
    (error,) = [d for d in diagnostics if d.code == "NG103"]  # type: ignore[attr-defined]
    assert error.line == 29 and error.json_path == "$.capability.exposes[0].ttlMs"  # type: ignore[attr-defined]


def test_a_tunnel_with_direct_fallback_keeps_the_client() -> None:
    tunnel = "      tunnel: {type: ziti, service: photos, identity: x, fallback: direct}\n"
    text = SPEC.replace(
        "      resources:\n        photo:", tunnel + "      resources:\n        photo:", 1
    )
    capability, diagnostics = lowered(text)
    assert [d.code for d in diagnostics] == ["NG211"]  # type: ignore[attr-defined]
    assert capability.apis and capability.mcp_adapters[0].tools  # type: ignore[attr-defined]


def test_a_tunnel_without_fallback_skips_what_calls_it() -> None:
    tunnel = "      tunnel: {type: ziti, service: photos, identity: x}\n"
    text = SPEC.replace(
        "      resources:\n        photo:", tunnel + "      resources:\n        photo:", 1
    )
    capability, diagnostics = lowered(text)
    assert not capability.apis and not capability.mcp_adapters[0].tools  # type: ignore[attr-defined]
    paths = [d.json_path for d in diagnostics]  # type: ignore[attr-defined]
    assert paths == [
        "$.capability.consumes[0].tunnel",
        "$.capability.exposes[0].tools.download.call",
    ]


LIST_FORM = textwrap.dedent("""
    ikanos: 1.0.0-beta5
    info: {display: List form, description: Tools as a list.}
    capability:
      exposes:
        - type: mcp
          port: 9702
          namespace: list-mcp
          tools:
            - name: hello
              description: Says hello.
              outputParameters:
                - {name: message, type: string, value: hi}
    """).lstrip()


def test_the_list_form_is_read_as_a_map() -> None:
    capability, diagnostics = lowered(LIST_FORM)
    (tool,) = capability.mcp_adapters[0].tools  # type: ignore[attr-defined]
    assert tool.name == "hello" and not diagnostics
    document = read(load_text(LIST_FORM, "list.yaml")).document
    path = ("capability", "exposes", 0, "tools", 0, "outputParameters", 0)
    assert document.diagnostic(path, "NG211", "x").json_path == (
        "$.capability.exposes[0].tools[0].outputParameters[0]"
    )


def test_standalone_files_may_not_import() -> None:
    text = "ikanos: 1.0.0-beta5\nconsumes:\n  - from: ./other.yml\n    import: api\n"
    (error,) = read(load_text(text, "alone.yml")).diagnostics
    assert (error.code, error.line, error.json_path) == ("NG213", 3, "$.consumes[0].from")
