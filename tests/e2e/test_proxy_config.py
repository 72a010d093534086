"""Start-up configuration of the generated packages: binds, base URLs and settings.

A missing referenced variable stops start-up (exit 2) with one message naming every
missing variable; an unreferenced one is optional; the base-URL variable overrides the
spec's ``baseUri`` and is required when that is empty or templated; ``file://`` binds are
read at start-up; invalid settings are reported, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytest.register_assert_rewrite("tests.proxy_support")

from ..conftest import FLYTE_PACKAGE, flyte_env  # noqa: E402
from ..proxy_support import (  # noqa: E402
    ALL_SECRETS,
    DATA,
    TWILIO_PASS,
    Capability,
    Installed,
    RecordingUpstream,
    assert_no_secrets,
    install,
    run_to_exit,
    start_logged_server,
)

pytest_plugins = ["tests.proxy_support"]
pytestmark = pytest.mark.e2e

PROBE_SPEC = DATA / "proxy-config-probe.yaml"
PROBE_TOKEN = "s3cr3t-PROBE-TOKEN-2468"
PROBE_FILE_KEY = "s3cr3t-PROBE-FILE-KEY-1357"
PROBE_TENANT = "tenant-from-yaml"


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The tiny probe capability (templated and empty baseUri, env and file binds)."""
    cap = Capability("probe", PROBE_SPEC, "regional", "", {"PROBE_TOKEN": PROBE_TOKEN})
    return install(cap, tmp_path_factory.mktemp("probe"))


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    """A working directory holding the files the probe's ``file://./probe-secrets.json`` and
    ``file://probe-more.yaml`` binds name (relative locations are read relative to the
    working directory)."""
    (tmp_path / "probe-secrets.json").write_text(json.dumps({"api_key": PROBE_FILE_KEY}))
    (tmp_path / "probe-more.yaml").write_text(f"# tenant\ntenant: {PROBE_TENANT}\n")
    return tmp_path


def probe_env(probe: Installed, **extra: str | None) -> dict[str, str | None]:
    env: dict[str, str | None] = {
        "PYTHONPATH": str(probe.site),
        "PROXY_CONFIG_PROBE_REST_PORT": "0",
        "PROXY_CONFIG_PROBE_LOG_LEVEL": "DEBUG",
        "PROBE_TOKEN": PROBE_TOKEN,
        "PROBE_UNUSED": None,
        "PROXY_CONFIG_PROBE_REGIONAL_BASE_URL": None,
        "PROXY_CONFIG_PROBE_BLANK_BASE_URL": None,
    }
    env.update(extra)
    return env


def config_error(result: subprocess.CompletedProcess[str]) -> str:
    """The one configuration message of a failed start (exit 2, no traceback)."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("invalid configuration") == 1, result.stderr
    assert "listening on" not in result.stderr + result.stdout
    return result.stderr


# --- binds ----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("all",), ("mcp", "--transport", "stdio")])
def test_missing_referenced_variables_stop_startup_naming_each(
    installed: dict[str, Installed], upstream: RecordingUpstream, args: tuple[str, ...]
) -> None:
    twilio = installed["twilio"]
    env = twilio.env(upstream.url, TWILIO_USER=None, TWILIO_PASS=None, TWILIO_API_KEY=None)
    stderr = config_error(run_to_exit(twilio.command(*args), env))
    assert "TWILIO_USER" in stderr and "TWILIO_PASS" in stderr
    assert "TWILIO_API_KEY" not in stderr  # unreferenced: optional
    assert upstream.requests == []


def test_one_missing_variable_is_named_alone(
    installed: dict[str, Installed], upstream: RecordingUpstream
) -> None:
    github = installed["github"]
    stderr = config_error(
        run_to_exit(github.command("rest"), github.env(upstream.url, GITHUB_API_KEY=None))
    )
    assert "GITHUB_API_KEY" in stderr


def test_empty_referenced_variable_counts_as_missing(
    installed: dict[str, Installed], upstream: RecordingUpstream
) -> None:
    """``TWILIO_PASS=`` (an unfilled line copied from .env.example) is not a password."""
    twilio = installed["twilio"]
    stderr = config_error(
        run_to_exit(twilio.command("rest"), twilio.env(upstream.url, TWILIO_PASS=""))
    )
    assert "TWILIO_PASS" in stderr and "TWILIO_USER" not in stderr


def test_unreferenced_bound_variable_is_optional(flyte_site: Path) -> None:
    """The Flyte spec binds FLYTE_API_KEY but never references it."""
    env: dict[str, str | None] = {
        **flyte_env(flyte_site, "http://127.0.0.1:9"),
        "FLYTE_API_KEY": None,
    }
    server = start_logged_server([sys.executable, "-m", FLYTE_PACKAGE, "all"], 2, env)
    try:
        assert httpx.get(server.url("REST") + "/openapi.json", timeout=10).status_code == 200
    finally:
        server.stop()


def test_file_bind_is_read_at_startup(
    probe: Installed, upstream: RecordingUpstream, secrets_dir: Path
) -> None:
    env = probe_env(
        probe,
        PROXY_CONFIG_PROBE_REGIONAL_BASE_URL=upstream.url + "/eu",
        PROXY_CONFIG_PROBE_BLANK_BASE_URL=upstream.url + "/blank/",
    )
    server = start_logged_server(probe.command("rest"), 1, env, cwd=secrets_dir)
    try:
        rest = server.url("REST")
        assert httpx.get(rest + "/things", timeout=10).status_code == 200
        seen = upstream.take()
        assert seen.path == "/blank/things"  # trailing slash of the base URL not doubled
        assert seen.header("x-file-key") == PROBE_FILE_KEY
        assert seen.header("authorization") is None

        assert httpx.get(rest + "/items/a%2Fb", timeout=10).status_code == 200
        assert upstream.take().path == "/eu/items/a%2Fb"  # one segment, still encoded
        assert httpx.get(rest + "/items/i-1", timeout=10).status_code == 200
        seen = upstream.take()
        assert seen.path == "/eu/items/i-1"
        assert seen.header("authorization") == "Bearer " + PROBE_TOKEN
        assert seen.header("x-tenant") == PROBE_TENANT
        assert seen.header("x-file-key") is None
    finally:
        server.stop()
    assert_no_secrets(server.log(), (*ALL_SECRETS, PROBE_TOKEN, PROBE_FILE_KEY), "probe log")


def test_missing_file_bind_value_is_named(
    probe: Installed, upstream: RecordingUpstream, tmp_path: Path
) -> None:
    (tmp_path / "probe-secrets.json").write_text(json.dumps({"other": "x"}))
    (tmp_path / "probe-more.yaml").write_text("tenant: ''\n")
    env = probe_env(
        probe,
        PROXY_CONFIG_PROBE_REGIONAL_BASE_URL=upstream.url,
        PROXY_CONFIG_PROBE_BLANK_BASE_URL=upstream.url,
        PROBE_TOKEN=None,
    )
    stderr = config_error(run_to_exit(probe.command("rest"), env, cwd=tmp_path))
    assert "PROBE_FILE_KEY" in stderr and "api_key" in stderr
    assert "PROBE_YAML_KEY" in stderr and "tenant" in stderr
    assert "PROBE_TOKEN" in stderr
    assert "PROBE_UNUSED" not in stderr


# --- base URLs ------------------------------------------------------------------------------


def test_templated_and_empty_base_uri_require_the_variable(
    probe: Installed, secrets_dir: Path
) -> None:
    stderr = config_error(run_to_exit(probe.command("rest"), probe_env(probe), cwd=secrets_dir))
    assert "PROXY_CONFIG_PROBE_REGIONAL_BASE_URL" in stderr
    assert "PROXY_CONFIG_PROBE_BLANK_BASE_URL" in stderr
    example = (probe.out / ".env.example").read_text()
    assert "PROXY_CONFIG_PROBE_REGIONAL_BASE_URL=\n" in example
    assert "PROXY_CONFIG_PROBE_BLANK_BASE_URL=\n" in example


def test_base_url_variable_overrides_the_spec(tmp_path: Path, upstream: RecordingUpstream) -> None:
    """A spec whose baseUri is a real URL: used by default, replaced by the variable."""
    spec = tmp_path / "spec" / "fixed.yaml"
    spec.parent.mkdir()
    text = PROBE_SPEC.read_text().replace(
        "https://{region}.example.com/api", upstream.url + "/from-spec"
    )
    spec.write_text(text)
    (spec.parent / "probe-secrets.json").write_text("{}")
    (spec.parent / "probe-more.yaml").write_text("{}")
    item = install(Capability("fixed", spec, "regional", "", {}), tmp_path / "build")
    (tmp_path / "probe-secrets.json").write_text(json.dumps({"api_key": "k"}))
    (tmp_path / "probe-more.yaml").write_text("tenant: t\n")
    env = probe_env(item, PROXY_CONFIG_PROBE_BLANK_BASE_URL=upstream.url)

    server = start_logged_server(item.command("rest"), 1, env, cwd=tmp_path)
    try:
        httpx.get(server.url("REST") + "/items/1", timeout=10)
    finally:
        server.stop()
    assert upstream.take().path == "/from-spec/items/1"

    env["PROXY_CONFIG_PROBE_REGIONAL_BASE_URL"] = upstream.url + "/from-env"
    server = start_logged_server(item.command("rest"), 1, env, cwd=tmp_path)
    try:
        httpx.get(server.url("REST") + "/items/1", timeout=10)
    finally:
        server.stop()
    assert upstream.take().path == "/from-env/items/1"


# --- settings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("READ_TIMEOUT", "soon", "READ_TIMEOUT must be a number"),
        ("READ_TIMEOUT", "nan", "READ_TIMEOUT"),
        ("CONNECT_TIMEOUT", "-1", "CONNECT_TIMEOUT must not be negative"),
        ("REST_PORT", "70000", "REST_PORT must be a port number"),
        ("MAX_RESPONSE_BYTES", "1.5", "MAX_RESPONSE_BYTES must be an integer"),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("VOICE_CALLS_BASE_URL", "ftp://example.com", "must be an http:// or https:// URL"),
    ],
)
def test_invalid_settings_are_reported(
    installed: dict[str, Installed],
    upstream: RecordingUpstream,
    name: str,
    value: str,
    message: str,
) -> None:
    twilio = installed["twilio"]
    env = twilio.env(upstream.url, **{twilio.prefix + name: value})
    stderr = config_error(run_to_exit(twilio.command("rest"), env))
    assert message in stderr
    assert_no_secrets(stderr, ALL_SECRETS, "a configuration error")
    assert TWILIO_PASS not in stderr


def test_env_example_lists_every_variable(installed: dict[str, Installed]) -> None:
    twilio = installed["twilio"]
    example = (twilio.out / ".env.example").read_text()
    names = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    prefix = twilio.prefix
    assert names == {
        twilio.base_url_var,
        prefix + "REST_HOST",
        prefix + "REST_PORT",
        prefix + "MCP_HOST",
        prefix + "MCP_PORT",
        prefix + "CONNECT_TIMEOUT",
        prefix + "READ_TIMEOUT",
        prefix + "TOTAL_TIMEOUT",
        prefix + "MAX_RESPONSE_BYTES",
        prefix + "UPSTREAM_CONNECTIONS",
        prefix + "SHUTDOWN_TIMEOUT",
        prefix + "MAX_BODY_BYTES",
        prefix + "MAX_JSON_DEPTH",
        prefix + "MAX_STRING_LENGTH",
        prefix + "ALLOWED_HOSTS",
        prefix + "ALLOWED_ORIGINS",
        prefix + "MCP_SESSIONS",
        prefix + "MCP_READ_ONLY",
        prefix + "MCP_TOOLS",
        prefix + "MCP_TOOL_TAGS",
        prefix + "MCP_MAX_ANSWER_BYTES",
        prefix + "LOG_LEVEL",
        "TWILIO_API_KEY",
        "TWILIO_USER",
        "TWILIO_PASS",
    }
    assert "TWILIO_USER (required)" in example and "TWILIO_PASS (required)" in example
    assert "TWILIO_API_KEY (not referenced by the spec; optional)" in example
