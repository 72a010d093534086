"""The logging policy holds in every package: a capability that consumes no API (its only
secret guards its own adapter) masks that secret in every log line too."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from naftiko_codegen.output import write_tree
from naftiko_codegen.pipeline import compile_spec

SPEC = """\
naftiko: 1.0.0-alpha2
info:
  label: Guarded Mock
  description: A mock tool behind a bearer token, with no consumed API.
binds:
- namespace: env
  keys:
    GUARD_TOKEN: GUARD_TOKEN
capability:
  exposes:
  - type: mcp
    namespace: guarded-mock
    port: 9090
    authentication:
      type: bearer
      token: '{{GUARD_TOKEN}}'
    tools:
    - name: hello
      description: Say hello.
      outputParameters:
      - name: message
        type: string
        value: hello
"""

SECRET = "guard-token-0123456789abcdef"

PROBE = textwrap.dedent(
    """
    import logging, sys
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(message)s")
    from guarded_mock.config import load_settings
    from guarded_mock.upstream import Upstreams
    Upstreams.open(load_settings())
    logging.getLogger("anything").info("Authorization: Bearer %s", sys.argv[1])
    logging.getLogger("uvicorn.access").info("GET /mcp?token=%s 401", sys.argv[1])
    """
)


def test_a_package_without_consumed_apis_masks_its_secrets(tmp_path: Path) -> None:
    spec = tmp_path / "guarded-mock.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = compile_spec(spec, package_name="guarded_mock")
    out = tmp_path / "out"
    write_tree(out, result.files, result.spec_digest)
    env = {"PYTHONPATH": str(out), "GUARDED_MOCK_GUARD_TOKEN": SECRET, "GUARD_TOKEN": SECRET}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, SECRET],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert probe.returncode == 0, probe.stderr
    assert SECRET not in probe.stdout + probe.stderr
    assert probe.stdout.splitlines() == ["Authorization: Bearer ***", "GET /mcp?token=*** 401"]
