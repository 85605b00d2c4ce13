"""API tokens: random secrets shown once, kept only as SHA-256 hashes in a SQLite file outside the graph.

The file is opened per call, so tokens created or revoked by ``ourdata token`` take effect in a
running server at once.

>>> import tempfile, pathlib
>>> tokens = TokenStore(pathlib.Path(tempfile.mkdtemp()) / "t.sqlite")
>>> secret = tokens.create("ci", "admin")
>>> tokens.verify(secret).role
'admin'
>>> tokens.verify("od_wrong") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from graph.errors import BadRequest, Conflict, NotFound

ROLES = ("contributor", "admin")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    last_used TEXT
)
"""


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    created: str
    last_used: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenStore:
    """Hashed tokens in SQLite. Secrets are 256-bit random, so a plain SHA-256 is enough to store them."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            connection.execute(_SCHEMA)
            yield connection
            connection.commit()
        finally:
            connection.close()

    def create(self, name: str, role: str) -> str:
        """Creates a token and returns its secret (shown once; only the hash is kept)."""
        if role not in ROLES:
            raise BadRequest(f"Unknown role '{role}'; choose one of: {', '.join(ROLES)}.")
        if not name or len(name) > 100:
            raise BadRequest("A token needs a name of 1 to 100 characters.")
        secret = "od_" + secrets.token_urlsafe(32)
        with self._db() as db:
            try:
                db.execute(
                    "INSERT INTO tokens (name, role, hash, created) VALUES (?, ?, ?, ?)",
                    (name, role, _hash(secret), datetime.now(UTC).isoformat(timespec="seconds")),
                )
            except sqlite3.IntegrityError as exc:
                raise Conflict(f"A token named '{name}' exists already; revoke it first.") from exc
        return secret

    def list(self) -> list[TokenRecord]:
        with self._db() as db:
            rows = db.execute("SELECT name, role, created, last_used FROM tokens ORDER BY name").fetchall()
        return [TokenRecord(*row) for row in rows]

    def revoke(self, name: str) -> None:
        with self._db() as db:
            if db.execute("DELETE FROM tokens WHERE name = ?", (name,)).rowcount == 0:
                raise NotFound(f"No token named '{name}'.")

    def verify(self, secret: str) -> TokenRecord | None:
        """The token's record, or None when the secret is unknown or revoked."""
        if not self.path.exists():
            return None
        digest = _hash(secret)
        with self._db() as db:
            row = db.execute("SELECT name, role, created, last_used, hash FROM tokens WHERE hash = ?",
                             (digest,)).fetchone()
            if row is None or not hmac.compare_digest(row[4], digest):
                return None
            db.execute("UPDATE tokens SET last_used = ? WHERE name = ?",
                       (datetime.now(UTC).isoformat(timespec="seconds"), row[0]))
        return TokenRecord(*row[:4])
