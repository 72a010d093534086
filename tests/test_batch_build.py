"""A repository of capabilities built from its configuration in one process.

``tests/data/project`` holds twelve real capabilities from public API repositories and one
that imports its consumed API from a shared file, with a ``[tool.naftiko-gen]`` table. Every
command runs as a user runs it: the real console entry point in a subprocess, in a copy of
the repository.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PROJECT = TESTS / "data" / "project"
CAPABILITIES = sorted(p.stem for p in (PROJECT / "capabilities").glob("*.yaml"))
OUTPUTS = [f"generated/{stem}" for stem in CAPABILITIES] + ["generated/uploads_main"]
SUMMARY = re.compile(r"naftiko-gen: built (\d+), unchanged (\d+), failed (\d+) in [0-9.]+ s")
BROKEN = 'naftiko: "1.0.0-alpha2"\ninfo:\n  label: "Broken"\ncapability:\n  exposes: 3\n'


def naftiko_gen(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``naftiko-gen ARGS`` run in ``root``, as a user would."""
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "naftiko_codegen", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
    )


def tree(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository with every configured capability built once."""
    root = tmp_path_factory.mktemp("built") / "repo"
    shutil.copytree(PROJECT, root)
    done = naftiko_gen(root, "build")
    assert done.returncode == 0, done.stderr
    summary = SUMMARY.search(done.stderr)
    assert summary is not None and summary.groups() == (str(len(OUTPUTS)), "0", "0")
    return root


@pytest.fixture
def repo(built: Path, tmp_path: Path) -> Iterator[Path]:
    """A fresh copy of the built repository for one test."""
    root = tmp_path / "repo"
    shutil.copytree(built, root, symlinks=True)
    yield root


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """A copy of the repository with nothing built."""
    root = tmp_path / "fresh"
    shutil.copytree(PROJECT, root)
    return root


def test_build_writes_every_configured_output(built: Path) -> None:
    assert sorted(
        p.parent.relative_to(built).as_posix() for p in built.glob("generated/*/.naftiko-gen.json")
    ) == sorted(OUTPUTS)
    # The entry's package-name and strict apply; {package} names the folder.
    assert (built / "generated" / "uploads_main" / "uploads_main" / "__init__.py").is_file()


def test_check_is_clean_then_a_rebuild_changes_nothing(repo: Path) -> None:
    before = tree(repo)
    check = naftiko_gen(repo, "build", "--check")
    assert (check.returncode, check.stdout) == (0, "")
    assert re.fullmatch(
        rf"naftiko-gen: checked {len(OUTPUTS)}: up to date {len(OUTPUTS)}, out of date 0, "
        r"failed 0 in [0-9.]+ s\n",
        check.stderr,
    )
    again = naftiko_gen(repo, "build")
    assert again.returncode == 0
    summary = SUMMARY.search(again.stderr)
    assert summary is not None and summary.groups() == ("0", str(len(OUTPUTS)), "0")
    assert tree(repo) == before


def test_check_after_editing_one_output_names_it(repo: Path) -> None:
    edited = repo / "generated" / "payments-refunds" / "README.md"
    edited.write_text(edited.read_text() + "hand edit\n")
    before = tree(repo)
    check = naftiko_gen(repo, "build", "--check")
    assert check.returncode == 1
    assert check.stdout.startswith(
        "--- a/generated/payments-refunds/README.md\n+++ b/generated/payments-refunds/README.md\n"
    )
    assert "-hand edit\n" in check.stdout
    problems = [line for line in check.stderr.splitlines() if "summary" not in line]
    assert problems[:2] == [
        "naftiko-gen: changed: generated/payments-refunds/README.md",
        "naftiko-gen: generated/payments-refunds is out of date; run "
        "`naftiko-gen build capabilities/payments-refunds.yaml`",
    ]
    assert "out of date 1, failed 0" in check.stderr
    assert sum("out of date;" in line for line in check.stderr.splitlines()) == 1
    assert tree(repo) == before  # --check writes nothing
    fixed = naftiko_gen(repo, "build", "capabilities/payments-refunds.yaml")
    assert fixed.returncode == 0, fixed.stderr
    assert naftiko_gen(repo, "build", "--check").returncode == 0


def test_an_invalid_spec_does_not_stop_the_others(fresh: Path) -> None:
    (fresh / "capabilities" / "broken.yaml").write_text(BROKEN)
    (fresh / "capabilities" / "also-broken.yaml").write_text("naftiko: [\n")
    done = naftiko_gen(fresh, "build")
    assert done.returncode == 2
    assert "capabilities/broken.yaml:5:12: error[NG101]" in done.stderr
    assert "capabilities/also-broken.yaml:2:1: error[NG001]" in done.stderr
    assert "naftiko-gen: capabilities/broken.yaml: 2 errors, 0 warnings" in done.stderr
    summary = SUMMARY.search(done.stderr)
    assert summary is not None and summary.groups() == (str(len(OUTPUTS)), "0", "2")
    assert all((fresh / out / ".naftiko-gen.json").is_file() for out in OUTPUTS)
    assert not (fresh / "generated" / "broken").exists()
    assert not (fresh / "generated" / "also-broken").exists()
    # The check reports the invalid specs the same way, and exit 2 wins over drift.
    assert naftiko_gen(fresh, "build", "--check").returncode == 2
    validate = naftiko_gen(fresh, "validate")
    assert validate.returncode == 2
    assert validate.stderr.endswith(
        f"naftiko-gen: {len(OUTPUTS) + 2} spec(s): 3 errors, 0 warnings\n"
    )


def test_the_batch_writes_what_one_off_builds_write(built: Path, tmp_path: Path) -> None:
    for stem in ("auth-sso", "vonage-messages"):
        out = tmp_path / stem
        done = naftiko_gen(built, "build", f"capabilities/{stem}.yaml", "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert tree(out) == tree(built / "generated" / stem)


def test_one_listed_spec_goes_to_its_configured_output(fresh: Path) -> None:
    done = naftiko_gen(fresh, "build", "capabilities/auth-sso.yaml", "uploads/main.yaml")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (fresh / "generated").iterdir()) == ["auth-sso", "uploads_main"]
    unlisted = naftiko_gen(fresh, "build", str(REPO / "tests" / "data" / "minimal.yaml"))
    assert unlisted.returncode == 2
    assert "minimal.yaml is not listed in [tool.naftiko-gen] of pyproject.toml" in unlisted.stderr
    assert "give -o OUT" in unlisted.stderr


def test_two_capabilities_may_not_share_an_output(fresh: Path) -> None:
    config = fresh / "pyproject.toml"
    config.write_text(config.read_text().replace('output = "generated/{stem}"', 'output = "out"'))
    done = naftiko_gen(fresh, "build")
    assert done.returncode == 2
    assert (
        "error: capabilities/cloud-email-email.yaml: out is the output of "
        "capabilities/auth-sso.yaml as well" in done.stderr
    )
    summary = SUMMARY.search(done.stderr)
    assert summary is not None and summary.groups() == ("2", "0", str(len(CAPABILITIES) - 1))


def test_a_worker_that_dies_costs_only_its_capability(fresh: Path) -> None:
    script = (
        "import os, sys\n"
        "from naftiko_codegen import cli, pipeline\n"
        "original = pipeline.compile_spec\n"
        "def compile_spec(spec, **options):\n"
        "    if spec.name == 'auth-sso.yaml':\n"
        "        os._exit(9)\n"
        "    return original(spec, **options)\n"
        "pipeline.compile_spec = compile_spec\n"
        "sys.argv = ['naftiko-gen', 'build', '--jobs', '2']\n"
        "cli.run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=fresh, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 3, done.stderr
    assert (
        "internal error: the worker process exited with status 9\n"
        "  while compiling capabilities/auth-sso.yaml" in done.stderr
    )
    summary = SUMMARY.search(done.stderr)
    assert summary is not None and summary.groups() == (str(len(OUTPUTS) - 1), "0", "1")


# --------------------------------------------------------------------------- pre-commit


def hook(hook_id: str, root: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a hook of ``.pre-commit-hooks.yaml`` as pre-commit does: its entry, then the
    staged files that match its filters."""
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    definition = hooks[hook_id]
    assert definition["pass_filenames"] is True and definition["require_serial"] is True
    assert definition["types"] == ["file"] and "files" not in definition
    command = shlex.split(definition["entry"])
    assert command[0] == "naftiko-gen"
    return naftiko_gen(root, *command[1:], *files)


def built_outputs(root: Path) -> list[str]:
    return sorted(
        p.parent.relative_to(root).as_posix() for p in root.glob("generated/*/.naftiko-gen.json")
    )


def test_precommit_builds_the_changed_capabilities_only(fresh: Path) -> None:
    done = hook("naftiko-gen", fresh, ["capabilities/square-applepay.yaml", "README.md"])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert built_outputs(fresh) == ["generated/square-applepay"]


def test_precommit_rebuilds_the_importers_of_a_changed_file(fresh: Path) -> None:
    done = hook("naftiko-gen", fresh, ["uploads/shared/upload-api.yaml"])
    assert done.returncode == 0, done.stderr
    assert built_outputs(fresh) == ["generated/uploads_main"]


def test_precommit_ignores_unrelated_files(fresh: Path) -> None:
    done = hook("naftiko-gen", fresh, ["README.md", "nonexistent.txt"])
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert not (fresh / "generated").exists()


def test_precommit_with_the_configuration_builds_everything(fresh: Path) -> None:
    done = hook("naftiko-gen", fresh, ["pyproject.toml"])
    assert done.returncode == 0, done.stderr
    assert built_outputs(fresh) == sorted(OUTPUTS)


def test_precommit_check_catches_a_hand_edited_output(repo: Path) -> None:
    edited = repo / "generated" / "uploads_main" / "uploads_main" / "config.py"
    edited.write_text(edited.read_text() + "# edited\n")
    done = hook("naftiko-gen-check", repo, ["generated/uploads_main/uploads_main/config.py"])
    assert done.returncode == 1
    assert "naftiko-gen: changed: generated/uploads_main/uploads_main/config.py" in done.stderr
    assert hook("naftiko-gen-check", repo, ["capabilities/auth-sso.yaml"]).returncode == 0
    # The regenerating hook puts the file back, as pre-commit expects a fixer to.
    assert (
        hook("naftiko-gen", repo, ["generated/uploads_main/uploads_main/config.py"]).returncode == 0
    )
    assert not edited.read_text().endswith("# edited\n")


def test_precommit_check_of_a_changed_spec(repo: Path) -> None:
    spec = repo / "capabilities" / "auth-sso.yaml"
    data = yaml.safe_load(spec.read_text())
    data["info"]["description"] = "A new description."
    spec.write_text(json.dumps(data))
    done = hook("naftiko-gen-check", repo, ["capabilities/auth-sso.yaml"])
    assert done.returncode == 1
    assert "generated/auth-sso is out of date" in done.stderr


# --------------------------------------------------------------------------- progress


def _stderr_on_a_terminal(root: Path, env: dict[str, str]) -> str:
    """What ``naftiko-gen build`` writes to a terminal standard error."""
    leader, follower = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "naftiko_codegen", "build"],
        cwd=root,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=follower,
        env=environment,
    )
    os.close(follower)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closes when the process has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    process.wait(timeout=60)
    os.close(leader)
    assert process.returncode == 0
    return b"".join(chunks).decode()


def test_progress_bar_on_a_terminal_only_outside_ci(repo: Path) -> None:
    drawn = _stderr_on_a_terminal(repo, {})
    assert f" {len(OUTPUTS)}/{len(OUTPUTS)} " in drawn and "\r\x1b[K[" in drawn
    assert drawn.rstrip().endswith("s")  # the summary line comes last, on a clear line
    quiet_ci = _stderr_on_a_terminal(repo, {"CI": "true"})
    assert "\x1b[K" not in quiet_ci and SUMMARY.search(quiet_ci)
    plain = naftiko_gen(repo, "build")  # not a terminal
    assert "\x1b[K" not in plain.stderr


def test_ctrl_c_stops_the_workers_and_leaves_complete_outputs(fresh: Path) -> None:
    """SIGINT to the whole process group (what Ctrl-C sends) once the first output is
    written: exit 130, no worker left running, every output complete or absent."""
    environment = {k: v for k, v in os.environ.items() if k != "CI"}
    environment["NAFTIKO_GEN_CACHE_DIR"] = "off"  # slow enough to be interrupted midway
    process = subprocess.Popen(
        [sys.executable, "-m", "naftiko_codegen", "build", "--jobs", "2"],
        cwd=fresh,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    first = ""
    while time.monotonic() < deadline and "wrote" not in first:
        first = process.stderr.readline()
        assert first or process.poll() is None, "the build ended before it was interrupted"
    os.killpg(process.pid, signal.SIGINT)
    rest = process.stderr.read()
    assert process.wait(timeout=60) == 130, rest
    assert "naftiko-gen: interrupted" in rest
    with pytest.raises(ProcessLookupError):  # every worker was stopped and collected
        os.killpg(process.pid, 0)
    # A worker stopped while assembling an output leaves its hidden staging folder beside
    # it (swept by the next build); the outputs themselves are complete.
    written = [
        p.parent
        for p in (fresh / "generated").glob("*/.naftiko-gen.json")
        if not p.parent.name.startswith(".")
    ]
    assert 1 <= len(written) < len(OUTPUTS)
    for out in written:
        manifest = json.loads((out / ".naftiko-gen.json").read_text())
        assert all((out / name).is_file() for name in manifest["files"])
    again = naftiko_gen(fresh, "build")
    assert again.returncode == 0, again.stderr
    assert not list((fresh / "generated").glob(".*naftiko-gen-*"))  # leftovers swept
