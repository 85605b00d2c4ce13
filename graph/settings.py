"""Settings for every entry point, read from flags and ``OURDATA_*`` environment variables.

Built only by entry points (the CLI, tests) and passed down; never instantiated at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_BASE_IRI = "https://ourdata.coop/"


class Settings(BaseSettings):
    """Every setting also reads from ``OURDATA_<NAME>`` (e.g. ``OURDATA_STORE``)."""

    model_config = SettingsConfigDict(env_prefix="OURDATA_", extra="ignore")

    store: Path | None = Field(
        default=Path("ourdata-store"),
        description="Directory of the on-disk store; None means an in-memory store.",
    )
    memory: bool = Field(default=False, description="Use an in-memory store (nothing is written to disk).")
    base_iri: str = Field(default=DEFAULT_BASE_IRI, description="Base of every IRI we mint; ends with '/'.")
    host: str = "127.0.0.1"
    port: int = 8000
    tokens_file: Path | None = Field(
        default=None,
        description="SQLite file holding hashed API tokens; default: '<store>.tokens.sqlite' beside the store.",
    )
    query_threads: int = Field(default=8, ge=1, le=256, description="Threads that evaluate SPARQL queries.")
    query_timeout: float = Field(
        default=30.0, gt=0,
        description="Seconds a SPARQL query may run before it is stopped (503); a request may ask for less "
        "with 'timeout=', an admin token for more.",
    )
    query_timeout_max: float = Field(default=600.0, gt=0, description="Longest time limit an admin may ask for.")
    query_workers: int = Field(
        default=2, ge=0, le=64,
        description="Reader processes that run SPARQL queries over checkpoints of an on-disk store, so a query "
        "past its time limit can be killed. 0: queries run in-process and stream (limits are then best effort).",
    )
    front_processes: int = Field(
        default=2, ge=0, le=64,
        description="Processes that share the public port and answer simple SPARQL reads (GET /sparql?query=) "
        "themselves from checkpoints, handing every other request to the serving process. Needs query_workers "
        ">= 1 and an on-disk store. 0: the serving process accepts every connection.",
    )
    query_workers_max: int = Field(
        default=8, ge=1, le=128,
        description="Most reader processes at once: extra ones start while slow queries hold the others.",
    )
    query_memory_mb: int = Field(
        default=4096, ge=0,
        description="Address space a reader process may use (MB); a query needing more is stopped (503). 0: no cap.",
    )
    query_max_rows: int = Field(
        default=0, ge=0,
        description="Most rows (or triples) a SPARQL result may hold; a longer one is cut and says so. 0: no cap.",
    )
    query_max_result_bytes: int = Field(
        default=512 * 1024 * 1024, ge=0,
        description="Most bytes a SPARQL result may hold; a larger one is cut to whole rows and says so. 0: no cap.",
    )
    max_body_bytes: int = Field(default=50 * 1024 * 1024, ge=1024, description="Largest accepted request body.")
    contribution_max_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="Largest contribution accepted (POST /api/v1/contributions)."
    )
    contribution_max_records: int = Field(
        default=20_000, ge=1, description="Most records (organisations and datasets) in one contribution."
    )
    contribution_licence: str = Field(
        default="CC-BY-4.0", description="Licence of a contribution that names none (an SPDX id, name or URL)."
    )
    stream_buffer_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Results up to this size are sent whole (with Content-Length); larger ones are streamed.",
    )
    warm_caches: bool = Field(
        default=True,
        description="Build the API's catalogue and text index in the background when the server starts, "
        "so the first request does not pay for it.",
    )
    access_log: bool = Field(
        default=False,
        description="Log every request (costs ~8% of throughput on tiny queries; off by default).",
    )
    service_allowlist: list[str] = Field(
        default=[],
        description="SPARQL endpoints SERVICE may reach: exact IRIs, or '*' for any public address (JSON list).",
    )
    load_allowlist: list[str] = Field(
        default=[], description="Documents an update's LOAD may fetch: exact IRIs, or '*' for any public address."
    )
    rate_limit_per_minute: int = Field(
        default=600, ge=0, description="Requests a minute one client may send (429 beyond); 0 turns limiting off."
    )
    rate_limit_burst: int = Field(default=300, ge=1, description="Requests a client may send at once, unthrottled.")
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed by CORS.")
    load_organisations: bool = Field(default=True, description="Load bundled organisation sources on first run.")

    @field_validator("base_iri")
    @classmethod
    def _base_iri_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("base IRI must be an http(s) IRI")
        return value if value.endswith("/") else value + "/"

    @field_validator("service_allowlist", "load_allowlist")
    @classmethod
    def _allowlist_entries_are_endpoints(cls, value: list[str]) -> list[str]:
        from graph.federation import ANY_PUBLIC, endpoint_key

        for entry in value:
            if entry != ANY_PUBLIC and endpoint_key(entry) is None:
                raise ValueError(f"allow-list entry '{entry}' is not an http(s) IRI with a host (or '*')")
        return value

    @property
    def store_path(self) -> Path | None:
        """The on-disk store directory, or None for an in-memory store."""
        return None if self.memory or self.store is None else self.store

    @property
    def token_path(self) -> Path:
        """Where hashed tokens live: never inside the graph that SPARQL serves."""
        if self.tokens_file is not None:
            return self.tokens_file
        if self.store_path is not None:
            return self.store_path.with_name(self.store_path.name + ".tokens.sqlite")
        return Path("ourdata-tokens.sqlite")
