"""Set-up before any section: the generated package, the benchmark venv and its tools, wrk.

``make bench`` compiles ``specs/flyte-admin-executions.yaml`` with the working tree's compiler,
creates ``benchmarks/.venv`` with the generated package's dependencies and the tools compared
against (reused while the requirements do not change; a tool that cannot be installed is
recorded and its measurements skipped), puts ``sniffio`` in a directory of its own for the
"+ sniffio" variants, and installs ``wrk`` with apt-get when it can. With ``install=False``
(``--smoke``) nothing is installed: the project's own interpreter runs everything (its test
dependencies include the generated package's), with whatever tools it has, and the Python
load generator stands in for wrk.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchlib import BENCH, LOGS, PIN, ROOT, WORK

VENV = BENCH / ".venv"
SNIFFIO_DIR = WORK / "sniffio-site"
SPEC = ROOT / "specs" / "flyte-admin-executions.yaml"
TOOLS = ["fastmcp", "openapi-python-client", "fastapi-code-generator"]
VERSION_NAMES = [
    "fastapi",
    "starlette",
    "uvicorn",
    "httpx",
    "httpcore",
    "h11",
    "mcp",
    "mcp-types",
    "pydantic",
    "pydantic-core",
    "jsonschema",
    "anyio",
    "fastmcp",
    "fastmcp-slim",
    "httpx2",
    "openapi-python-client",
    "fastapi-code-generator",
    "datamodel-code-generator",
    "ruff",
    "black",
    "uvloop",
    "httptools",
]
PROJECT_VERSION_NAMES = ["naftiko-gen", "black", "jinja2", "pyyaml", "jsonschema"]


@dataclass
class Generated:
    """The Flyte capability compiled by the working tree's compiler."""

    dir: str
    package: str
    dependencies: list[str]
    prefix: str
    """Prefix of its environment variables."""
    base_url_var: str
    """The variable that points it at its upstream."""


@dataclass
class Environment:
    """Where the servers, load generators and compared tools run, and with which versions."""

    venv: str = ""
    python: str = ""
    """The interpreter that runs the servers and load generators."""
    tools: dict[str, str] = field(default_factory=dict)
    """Installed tool → the venv it is in."""
    notes: list[str] = field(default_factory=list)
    created: str = "?"
    versions: dict[str, str] = field(default_factory=dict)
    project_versions: dict[str, str] = field(default_factory=dict)
    sniffio: str | None = None
    wrk: str | None = None
    wrk_note: str = "?"
    wrk_version: str = ""
    pinning: bool = False
    bytecode: str = ""

    def interpreter(self) -> str:
        """The benchmark interpreter (``benchmarks/.venv``'s unless ``--smoke`` found none)."""
        return self.python or str(venv_python(VENV))

    def tool_python(self, tool: str) -> Path | None:
        """The interpreter of the venv ``tool`` is installed in, None when it is not."""
        where = self.tools.get(tool)
        return venv_python(Path(where)) if where else None


# --------------------------------------------------------------------------- the generated package


def naftiko_command() -> list[str]:
    """``naftiko-gen`` of the project's interpreter."""
    script = Path(sys.executable).parent / "naftiko-gen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "naftiko_codegen"]


def compile_generated() -> Generated:
    """Compile the Flyte capability with the working tree's compiler; describe the package."""
    out = WORK / "gen"
    completed = subprocess.run(
        [*naftiko_command(), "build", str(SPEC), "-o", str(out), "--force"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"naftiko-gen build failed:\n{completed.stdout}\n{completed.stderr}")
    pyproject = tomllib.loads((out / "pyproject.toml").read_text())
    package = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"][0]
    config_py = (out / package / "config.py").read_text()
    prefix = re.search(r'ENV_PREFIX = "([^"]+)"', config_py)
    # the documented settings: .env.example lists each consumed API's base URL first
    base = re.search(r"^([A-Z0-9_]+_BASE_URL)=", (out / ".env.example").read_text(), re.M)
    if prefix is None or base is None:
        raise RuntimeError(f"cannot find the environment variables of {out}")
    return Generated(
        dir=str(out),
        package=package,
        dependencies=list(pyproject["project"]["dependencies"]),
        prefix=prefix.group(1),
        base_url_var=base.group(1),
    )


# --------------------------------------------------------------------------- environments


def venv_python(venv: Path) -> Path:
    """The interpreter of ``venv``."""
    return venv / "bin" / "python"


def pip_install(
    venv: Path,
    requirements: Sequence[str],
    log_name: str,
    constraints: Path | None = None,
    timeout: float = 420,
) -> tuple[bool, str]:
    """``pip install`` into ``venv``; returns (ok, last lines of the output)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    command = [
        str(venv_python(venv)),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    if constraints is not None:
        command += ["-c", str(constraints)]
    command += list(requirements)
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"pip install timed out after {timeout:.0f} s"
    output = completed.stdout + completed.stderr
    (LOGS / f"{log_name}.log").write_text(output)
    lines = [
        line
        for line in output.splitlines()
        if "is ignored: it is neither a file nor a directory" not in line
    ]
    return completed.returncode == 0, "\n".join(lines[-12:])


def create_venv(venv: Path) -> None:
    """A new, empty venv at ``venv`` (replacing what was there)."""
    if venv.exists():
        shutil.rmtree(venv)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=180)


def installed_versions(python: Path, names: Sequence[str]) -> dict[str, str]:
    """The version of each of ``names`` installed in ``python``'s environment (absent: left out)."""
    code = (
        "import json, sys\nfrom importlib import metadata\nout = {}\n"
        "for n in sys.argv[1:]:\n"
        "    try: out[n] = metadata.version(n)\n"
        "    except metadata.PackageNotFoundError: out[n] = None\n"
        "print(json.dumps(out))"
    )
    try:
        completed = subprocess.run(
            [str(python), "-c", code, *names], capture_output=True, text=True, timeout=60
        )
        return {k: v for k, v in json.loads(completed.stdout).items() if v}
    except (OSError, ValueError, subprocess.SubprocessError):
        return {}


def ensure_wrk() -> tuple[str | None, str]:
    """The path of ``wrk``, installing Debian's package when possible; and what happened."""
    found = shutil.which("wrk")
    if found:
        return found, "already installed"
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return None, "wrk is not installed and apt-get is not usable (not root)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    notes = []
    for update_first in (False, True):
        try:
            if update_first:
                subprocess.run(
                    ["apt-get", "update", "-q"], capture_output=True, timeout=180, env=env
                )
            completed = subprocess.run(
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"],
                capture_output=True,
                text=True,
                timeout=240,
                env=env,
            )
        except subprocess.TimeoutExpired:
            notes.append("apt-get timed out")
            continue
        if completed.returncode == 0 and shutil.which("wrk"):
            return shutil.which("wrk"), "installed with apt-get" + (
                " (after apt-get update)" if update_first else ""
            )
        output = (completed.stderr or completed.stdout).strip()
        notes.append(output.splitlines()[-1] if output else f"exit {completed.returncode}")
    return None, "apt-get install wrk failed: " + "; ".join(notes)


def install_venv(env: Environment, deps: list[str]) -> dict[str, str]:
    """Create ``benchmarks/.venv`` with ``deps`` and the tools; return where each tool went."""
    create_venv(VENV)
    constraints = WORK / "constraints.txt"
    # pip refuses extras in constraints (`uvicorn[standard]`): the requirement keeps them
    constraints.write_text("\n".join(re.sub(r"\[[^\]]*\]", "", dep) for dep in deps) + "\n")
    ok, tail = pip_install(VENV, [*deps, *TOOLS], "pip-all", constraints=constraints)
    if ok:
        return {tool: str(VENV) for tool in TOOLS}
    env.notes.append(f"installing everything at once failed; installed one by one:\n{tail}")
    ok, tail = pip_install(VENV, deps, "pip-deps")
    if not ok:
        raise RuntimeError(f"cannot install the generated package's dependencies:\n{tail}")
    tools: dict[str, str] = {}
    for tool in TOOLS:
        ok, tail = pip_install(VENV, [tool], f"pip-{tool}", constraints=constraints)
        if ok:
            tools[tool] = str(VENV)
            continue
        own = WORK / f"venv-{tool}"
        create_venv(own)
        ok, tail2 = pip_install(own, [tool], f"pip-{tool}-own")
        if ok:
            tools[tool] = str(own)
            where = own.relative_to(ROOT) if own.is_relative_to(ROOT) else own
            env.notes.append(
                f"{tool} conflicts with the generated package's dependencies; installed in its own "
                f"venv {where}:\n{tail}"
            )
        else:
            env.notes.append(f"{tool} could not be installed:\n{tail2}")
    return tools


def use_project_interpreter(env: Environment) -> None:
    """``--smoke``: the project's interpreter runs everything; tools it lacks are not installed."""
    env.venv = sys.prefix
    env.python = sys.executable
    found = installed_versions(Path(sys.executable), TOOLS)
    env.tools = {tool: sys.prefix for tool in TOOLS if tool in found}
    env.created = (
        "not created (--smoke installs nothing): the project's interpreter runs the servers"
    )
    for tool in TOOLS:
        if tool not in found:
            env.notes.append(
                f"{tool} is not installed in the project's environment (--smoke installs nothing)"
            )


def setup_environment(gen: Generated, install: bool = True) -> Environment:
    """The benchmark venv, its tools, sniffio for the variants, wrk (see the module's docstring)."""
    where = VENV.relative_to(ROOT) if VENV.is_relative_to(ROOT) else VENV
    env = Environment(venv=str(where), pinning=PIN)
    stamp_text = json.dumps(
        {"python": sys.version, "deps": sorted(gen.dependencies), "tools": TOOLS}
    )
    stamp = VENV / ".bench-stamp"
    saved_tools = VENV / ".bench-tools"
    if not install:
        use_project_interpreter(env)
    elif venv_python(VENV).exists() and stamp.exists() and stamp.read_text() == stamp_text:
        env.created = "reused (same requirements as its last creation)"
        env.tools = json.loads(saved_tools.read_text()) if saved_tools.exists() else {}
    else:
        t = time.perf_counter()
        env.tools = install_venv(env, gen.dependencies)
        stamp.write_text(stamp_text)
        saved_tools.write_text(json.dumps(env.tools))
        env.created = f"created in {time.perf_counter() - t:.1f} s"
    python = Path(env.interpreter())
    env.versions = installed_versions(python, VERSION_NAMES)
    for tool, venv in env.tools.items():
        if venv_python(Path(venv)) != python:
            env.versions.update(
                installed_versions(venv_python(Path(venv)), [tool, "mcp", "httpx2", "httpx"])
            )
    env.project_versions = installed_versions(Path(sys.executable), PROJECT_VERSION_NAMES)
    env.sniffio = sniffio_site(python, env, install)
    if not install:
        env.wrk_note = "not used by --smoke (the Python load generator takes sub-second durations)"
        return env
    env.wrk, env.wrk_note = ensure_wrk()
    if env.wrk:
        completed = subprocess.run([env.wrk, "-v"], capture_output=True, text=True, timeout=10)
        output = (completed.stdout + completed.stderr).strip()
        env.wrk_version = output.splitlines()[0] if output else "?"
    return env


def sniffio_site(python: Path, env: Environment, install: bool) -> str | None:
    """sniffio in a directory of its own (on PYTHONPATH for the "+ sniffio" variants): version."""
    if not any(SNIFFIO_DIR.glob("sniffio-*.dist-info")):
        if install:
            command = [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(SNIFFIO_DIR),
                "sniffio",
            ]
            completed = subprocess.run(command, capture_output=True, text=True, timeout=180)
            if completed.returncode != 0:
                env.notes.append(
                    "sniffio could not be installed; the '+ sniffio' variants are skipped"
                )
        else:
            copy_sniffio(python)
    found = sorted(SNIFFIO_DIR.glob("sniffio-*.dist-info"))
    return found[-1].name.removesuffix(".dist-info").replace("sniffio-", "") if found else None


def copy_sniffio(python: Path) -> None:
    """``--smoke``: sniffio copied from ``python``'s environment if there (nothing installed)."""
    code = "import pathlib, sniffio; print(pathlib.Path(sniffio.__file__).parent.parent)"
    completed = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, timeout=60
    )
    if completed.returncode != 0:
        return
    site = Path(completed.stdout.strip())
    SNIFFIO_DIR.mkdir(parents=True, exist_ok=True)
    for path in [site / "sniffio", *site.glob("sniffio-*.dist-info")]:
        shutil.copytree(path, SNIFFIO_DIR / path.name, dirs_exist_ok=True)


def warm_bytecode(env: Environment, gen: Generated) -> str:
    """Import everything once so that the bytecode caches exist before anything is timed."""
    pythonpath = {**os.environ, "PYTHONPATH": os.pathsep.join([gen.dir, str(BENCH)])}
    commands = [
        [
            env.interpreter(),
            "-c",
            f"import {gen.package}.__main__, handwritten_proxy, mcp_load, upstream_stub",
        ],
        [sys.executable, "-c", "import naftiko_codegen.cli, naftiko_codegen.pipeline, black"],
    ]
    fastmcp = env.tool_python("fastmcp")
    if fastmcp is not None:
        commands.append([str(fastmcp), "-c", "import fastmcp_server"])
    for command in commands:
        subprocess.run(command, env=pythonpath, timeout=300, capture_output=True, cwd=ROOT)
    return (
        "bytecode caches enabled under benchmarks/work/pycache (PYTHONPYCACHEPREFIX) and warmed "
        "before timing"
    )
