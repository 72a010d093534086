"""HTTP Digest authentication of callers (RFC 7616) with stateless, signed nonces."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time

from starlette.requests import HTTPConnection

from .auth import constant_time_equal

DIGEST_REALM = "naftiko"
NONCE_LIFETIME = 300
"""Seconds a nonce stays valid; an older one is answered with ``stale=true``."""
_NONCE_KEY = secrets.token_bytes(32)
"""Signs this process's nonces (HMAC-SHA-256); a restart invalidates them all."""
_OPAQUE = secrets.token_hex(16)
_HASHES = {
    "MD5": "md5",
    "MD5-SESS": "md5",
    "SHA-256": "sha256",
    "SHA-256-SESS": "sha256",
}
_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))')
_ESCAPE = re.compile(r"\\(.)")


def digest_params(header: str) -> dict[str, str]:
    """The parameters of an ``Authorization: Digest ...`` header (empty for other schemes)."""
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return {}
    params: dict[str, str] = {}
    for match in _PARAM.finditer(rest):
        quoted = match.group(2)
        value = _ESCAPE.sub(r"\1", quoted) if quoted is not None else match.group(3)
        params[match.group(1).lower()] = value
    return params


def _request_target(connection: HTTPConnection) -> str:
    """The path and query the client sent (what the Digest ``uri`` must repeat)."""
    raw = connection.scope.get("raw_path") or connection.url.path.encode("utf-8")
    query = connection.scope.get("query_string", b"")
    target = raw.decode("latin-1")
    return target + "?" + query.decode("latin-1") if query else target


class DigestCheck:
    """RFC 7616 Digest with ``qop="auth"``: MD5 and SHA-256 (also ``-sess``) responses.

    Nonces carry their issue time and an HMAC made with a random per-process key, so
    they need no server-side state; they expire after :data:`NONCE_LIFETIME` seconds.
    """

    def __init__(
        self, username: str, password: str, algorithm: str = "SHA-256"
    ) -> None:
        self.username = username
        self.password = password
        self.algorithm = algorithm

    @staticmethod
    def _sign(issued: str) -> str:
        return hmac.new(_NONCE_KEY, issued.encode("ascii"), hashlib.sha256).hexdigest()

    def nonce(self) -> str:
        """A fresh nonce: issue time, random salt and signature."""
        issued = f"{int(time.time()):x}.{secrets.token_hex(8)}"
        return issued + "." + self._sign(issued)

    def nonce_state(self, nonce: str) -> str:
        """``valid``, ``stale`` (signed here but expired) or ``invalid``."""
        issued, _, signature = nonce.rpartition(".")
        if not issued.isascii() or not constant_time_equal(
            signature, self._sign(issued)
        ):
            return "invalid"
        age = time.time() - int(issued.partition(".")[0], 16)
        return "valid" if -5 <= age <= NONCE_LIFETIME else "stale"

    def challenge(self, connection: HTTPConnection) -> str:
        """The ``WWW-Authenticate`` value: a new nonce, ``stale=true`` for an expired one."""
        given = digest_params(connection.headers.get("authorization", ""))
        stale = self.nonce_state(given.get("nonce", "")) == "stale"
        return (
            f'Digest realm="{DIGEST_REALM}", qop="auth", algorithm={self.algorithm}, '
            f'nonce="{self.nonce()}", opaque="{_OPAQUE}"'
            + (", stale=true" if stale else "")
        )

    def __call__(self, connection: HTTPConnection) -> bool:
        given = digest_params(connection.headers.get("authorization", ""))
        algorithm = given.get("algorithm", "MD5").upper()
        fields = ("username", "nonce", "uri", "response", "nc", "cnonce")
        if (
            algorithm not in _HASHES
            or given.get("qop") != "auth"
            or given.get("realm") != DIGEST_REALM
            or given.get("opaque") != _OPAQUE
            or any(field not in given for field in fields)
            or given["uri"] != _request_target(connection)
            or self.nonce_state(given["nonce"]) != "valid"
        ):
            return False

        def digest_of(text: str) -> str:
            return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()

        nonce, cnonce = given["nonce"], given["cnonce"]
        secret = digest_of(f"{self.username}:{DIGEST_REALM}:{self.password}")
        if algorithm.endswith("-SESS"):
            secret = digest_of(f"{secret}:{nonce}:{cnonce}")
        method = digest_of(f"{connection.scope['method']}:{given['uri']}")
        expected = digest_of(f"{secret}:{nonce}:{given['nc']}:{cnonce}:auth:{method}")
        return constant_time_equal(
            given["username"], self.username
        ) & constant_time_equal(given["response"].lower(), expected)


def digest(username: str, password: str) -> DigestCheck:
    """HTTP Digest (RFC 7616): the challenge carries a fresh signed nonce each time."""
    return DigestCheck(username, password)
