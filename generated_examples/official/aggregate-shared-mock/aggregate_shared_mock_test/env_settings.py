"""Settings read from environment variables under the package's prefix, every problem
collected so that start-up fails once, naming them all."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigError(Exception):
    """The environment does not configure the package completely; the message says how."""


class SettingsReader:
    """Reads ``<prefix><NAME>`` variables of ``environ``; a bad value is noted in
    ``errors`` and its default used, so that every problem is found in one pass."""

    def __init__(self, environ: Mapping[str, str], prefix: str) -> None:
        self.environ = environ
        self.prefix = prefix
        self.errors: list[str] = []

    def text(self, name: str, default: str) -> str:
        """A string setting (an empty value counts as unset)."""
        return self.environ.get(self.prefix + name) or default

    def number(self, name: str, default: float, *, integer: bool = False) -> float:
        """A non-negative number (an integer when ``integer``)."""
        raw = self.environ.get(self.prefix + name)
        if raw is None or raw == "":
            return default
        try:
            value = int(raw) if integer else float(raw)
        except ValueError:
            value = math.nan
        if math.isnan(value):
            kind = "n integer" if integer else " number"
            self.errors.append(f"{self.prefix}{name} must be a{kind}")
            return default
        if value < 0:
            self.errors.append(f"{self.prefix}{name} must not be negative")
        return value

    def port(self, name: str, default: int) -> int:
        """A TCP port, 0 to 65535 (0: any free port)."""
        port = int(self.number(name, default, integer=True))
        if port > 65535:
            self.errors.append(
                f"{self.prefix}{name} must be a port number (0 to 65535)"
            )
        return port

    def names(self, name: str) -> tuple[str, ...]:
        """A comma-separated list setting (host names, origins), empty entries dropped."""
        raw = self.environ.get(self.prefix + name) or ""
        return tuple(item.strip() for item in raw.split(",") if item.strip())

    def limit(self, name: str, default: int) -> int:
        """A positive integer limit (a size, a depth, a length)."""
        value = int(self.number(name, default, integer=True))
        if value == 0:
            self.errors.append(f"{self.prefix}{name} must be at least 1")
        return value

    def require_allowed_hosts(
        self, hosts: Mapping[str, str], allowed_hosts: tuple[str, ...]
    ) -> None:
        """An adapter listening beyond loopback (``hosts``: setting name → address) keeps
        its Host and Origin checks: ``ALLOWED_HOSTS`` must then say which host names
        clients use."""
        exposed = [
            f"{self.prefix}{name}={host}"
            for name, host in hosts.items()
            if not is_loopback(host)
        ]
        if exposed and not allowed_hosts:
            self.errors.append(
                f"{', '.join(exposed)} listens beyond this machine: set "
                f"{self.prefix}ALLOWED_HOSTS to the host names clients use "
                "(comma-separated, e.g. api.example.com,api.example.com:8080; * for "
                f"any) and, for browser clients, {self.prefix}ALLOWED_ORIGINS"
            )

    def log_level(self) -> str:
        """``LOG_LEVEL``: one of :data:`LOG_LEVELS`, ``INFO`` by default."""
        level = self.text("LOG_LEVEL", "INFO").upper()
        if level not in LOG_LEVELS:
            self.errors.append(
                f"{self.prefix}LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}"
            )
            return "INFO"
        return level

    def absolute_url(self, name: str, default: str) -> str:
        """An http(s) URL setting (OAuth 2 issuer or resource), kept exactly as written."""
        value = self.text(name, default)
        if not value.startswith(("http://", "https://")):
            self.errors.append(
                f"{self.prefix}{name} must be an http:// or https:// URL"
            )
        return value

    def base_url(self, name: str, default: str) -> str:
        """A consumed API's base URL, without a trailing ``/``; required when the spec's
        ``baseUri`` is empty or a template."""
        return self._checked_base_url(name, self.text(name, default), default)

    def templated_base_url(
        self,
        name: str,
        template: str,
        placeholders: Mapping[str, tuple[str, str | None]],
    ) -> str:
        """A templated base URL, each placeholder filled from its setting or bound variable
        (``placeholders``: text → (where its value comes from, the value)), unless ``name``
        sets the whole base URL."""
        if self.environ.get(self.prefix + name):
            return self.base_url(name, "")
        value, missing = template, []
        for text, (source, filled) in placeholders.items():
            if filled:
                value = value.replace(text, filled)
            else:
                missing.append(f"{source} (for {text})")
        if missing:
            self.errors.append(
                f"{', '.join(missing)} must be set to fill the base URL {template!r}, "
                f"or {self.prefix}{name} to the whole base URL"
            )
            return template
        return self._checked_base_url(name, value, value)

    def _checked_base_url(self, name: str, value: str, default: str) -> str:
        if not value or "{" in value:
            why = (
                f" (the capability's baseUri {default!r} is a template)"
                if "{" in default
                else ""
            )
            self.errors.append(
                f"{self.prefix}{name} must be set to the upstream API's base URL{why}"
            )
        elif not value.startswith(("http://", "https://")):
            self.errors.append(
                f"{self.prefix}{name} must be an http:// or https:// URL"
            )
        return value.rstrip("/")

    def check(self) -> None:
        """Raise :class:`ConfigError` naming every problem found, if there is any."""
        if self.errors:
            raise ConfigError("invalid configuration:\n  " + "\n  ".join(self.errors))


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on) reaches only this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
