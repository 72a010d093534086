"""Settings read from the environment and from bound files (env_settings, bound_files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from naftiko_codegen.runtime.bound_files import bound_file_path, read_bound_file
from naftiko_codegen.runtime.env_settings import ConfigError, SettingsReader


def reader(**environ: str) -> SettingsReader:
    return SettingsReader({f"P_{k}": v for k, v in environ.items()}, "P_")


def test_values_and_defaults() -> None:
    env = reader(HOST="0.0.0.0", TIMEOUT="2.5", PORT="0", LOG_LEVEL="debug", EMPTY="")
    assert env.text("HOST", "127.0.0.1") == "0.0.0.0"
    assert env.text("EMPTY", "default") == "default"
    assert env.number("TIMEOUT", 5.0) == 2.5
    assert env.number("ABSENT", 5.0) == 5.0
    assert env.port("PORT", 8080) == 0
    assert env.log_level() == "DEBUG"
    env.check()


def test_every_problem_is_reported_at_once() -> None:
    env = reader(
        TIMEOUT="nan", COUNT="1.5", NEG="-1", PORT="70000", LOG_LEVEL="LOUD", URL="ftp://x"
    )
    assert env.number("TIMEOUT", 5.0) == 5.0
    assert env.number("COUNT", 3, integer=True) == 3
    env.number("NEG", 1)
    env.port("PORT", 8080)
    assert env.log_level() == "INFO"
    env.absolute_url("URL", "https://issuer.test")
    with pytest.raises(ConfigError) as raised:
        env.check()
    assert str(raised.value).splitlines() == [
        "invalid configuration:",
        "  P_TIMEOUT must be a number",
        "  P_COUNT must be an integer",
        "  P_NEG must not be negative",
        "  P_PORT must be a port number (0 to 65535)",
        "  P_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL",
        "  P_URL must be an http:// or https:// URL",
    ]


def test_base_urls() -> None:
    env = reader(API_BASE_URL="https://api.test/v1/")
    assert env.base_url("API_BASE_URL", "http://default") == "https://api.test/v1"
    assert env.base_url("OTHER_BASE_URL", "http://default/") == "http://default"
    env.base_url("EMPTY_BASE_URL", "")
    env.base_url("TEMPLATE_BASE_URL", "https://{region}.test")
    assert env.errors == [
        "P_EMPTY_BASE_URL must be set to the upstream API's base URL",
        "P_TEMPLATE_BASE_URL must be set to the upstream API's base URL (the capability's "
        "baseUri 'https://{region}.test' is a template)",
    ]


def test_templated_base_urls_are_filled_or_replaced_whole() -> None:
    template = "https://{instance}.test/v{version}"
    env = reader(API_INSTANCE="acme")
    filled = env.templated_base_url(
        "API_BASE_URL",
        template,
        {"{instance}": ("P_API_INSTANCE", "acme"), "{version}": ("bound variable V", "2")},
    )
    assert filled == "https://acme.test/v2"
    missing = env.templated_base_url(
        "API_BASE_URL",
        template,
        {"{instance}": ("P_API_INSTANCE", None), "{version}": ("bound variable V", "")},
    )
    assert missing == template
    assert env.errors == [
        "P_API_INSTANCE (for {instance}), bound variable V (for {version}) must be set to "
        "fill the base URL 'https://{instance}.test/v{version}', or P_API_BASE_URL to the "
        "whole base URL"
    ]
    whole = reader(API_BASE_URL="https://whole.test/")
    assert whole.templated_base_url("API_BASE_URL", template, {}) == "https://whole.test"


@pytest.mark.parametrize(
    ("location", "path"),
    [
        ("file:///etc/app/keys.json", Path("/etc/app/keys.json")),
        ("file://localhost/etc/a%20b.json", Path("/etc/a b.json")),
        ("file://./keys.json", Path.cwd() / "./keys.json"),
        ("file://keys.json", Path.cwd() / "keys.json"),
    ],
)
def test_bound_file_locations(location: str, path: Path) -> None:
    assert bound_file_path(location) == path


def test_bound_files_are_json_or_yaml_mappings(tmp_path: Path) -> None:
    (tmp_path / "keys.json").write_text('{"KEY": "k", "N": 1}')
    (tmp_path / "keys.yml").write_text("KEY: y\n")
    (tmp_path / "list.json").write_text("[1]")
    (tmp_path / "bad.yaml").write_text("KEY: [\n")
    errors: list[str] = []
    assert read_bound_file(f"file://{tmp_path}/keys.json", errors) == {"KEY": "k", "N": 1}
    assert read_bound_file(f"file://{tmp_path}/keys.yml", errors) == {"KEY": "y"}
    assert errors == []
    for name in ("list.json", "bad.yaml", "missing.json"):
        assert read_bound_file(f"file://{tmp_path}/{name}", errors) == {}
    assert errors[0] == f"bound file {tmp_path}/list.json must hold a mapping of names to values"
    assert errors[1].startswith(f"cannot read bound file {tmp_path}/bad.yaml: ")
    assert errors[2].startswith(f"cannot read bound file {tmp_path}/missing.json: ")
