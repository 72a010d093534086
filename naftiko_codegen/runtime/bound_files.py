"""Bound variables read from a local file (``location: file://...``) once at start-up:
JSON, or YAML for ``.yaml``/``.yml`` files (with PyYAML installed)."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote


def bound_file_path(location: str) -> Path:
    """The file a ``file://`` location names: ``file:///abs`` and ``file://localhost/abs``
    are absolute; ``file://./name`` and ``file://name`` are relative to the working
    directory the server is started in."""
    rest = (
        location.split("://", 1)[1] if "://" in location else location[len("file:") :]
    )
    host, slash, tail = rest.partition("/")
    if rest.startswith("/"):
        return Path(unquote(rest))
    if slash and host.lower() == "localhost":
        return Path(unquote("/" + tail))
    return Path.cwd() / unquote(rest)


def read_bound_file(location: str, errors: list[str]) -> Mapping[str, object]:
    """The names and values a bound file holds; a problem is noted in ``errors``."""
    path = bound_file_path(location)
    try:
        data = _parse(path, path.read_text(encoding="utf-8"))
    except ImportError:
        errors.append(f"reading the YAML file {path} needs PyYAML (pip install pyyaml)")
        return {}
    except (OSError, ValueError) as error:
        errors.append(f"cannot read bound file {path}: {error}")
        return {}
    if not isinstance(data, dict):
        errors.append(f"bound file {path} must hold a mapping of names to values")
        return {}
    return data


def _parse(path: Path, text: str) -> object:
    """JSON, or YAML by the file's suffix (PyYAML is imported only then)."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        return json.loads(text)
    yaml = importlib.import_module("yaml")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(str(error)) from None
