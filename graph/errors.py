"""The one error hierarchy of the service. Layers raise these; ``api/errors.py`` maps them to HTTP.

Each error carries a human sentence (``detail``) and, where it helps, a list of located problems
(``errors``: dicts with ``message`` plus ``row``/``column``/``field``/``focus_node``/``path``/``line``).
"""

from __future__ import annotations

from typing import Any


class OurdataError(Exception):
    """Base of every error we raise on purpose. ``title`` names the kind; ``detail`` explains this case."""

    title = "Error"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class BadRequest(OurdataError):
    """The request itself is malformed (wrong or missing parameters)."""

    title = "Bad request"


class QuerySyntaxError(BadRequest):
    """A SPARQL query or update that does not parse."""

    title = "Malformed SPARQL"


class RdfSyntaxError(BadRequest):
    """An RDF document that does not parse in the format it claims."""

    title = "Malformed RDF"


class NotAcceptable(OurdataError):
    """No representation we can produce matches the client's Accept header."""

    title = "Not acceptable"

    def __init__(self, detail: str, *, available: list[str]) -> None:
        super().__init__(detail)
        self.available = available


class UnsupportedMediaType(OurdataError):
    """A request body in a media type this route does not take."""

    title = "Unsupported media type"


class PayloadTooLarge(OurdataError):
    title = "Payload too large"


class NotFound(OurdataError):
    title = "Not found"


class Unauthorized(OurdataError):
    """No valid credentials were given."""

    title = "Unauthorized"


class Forbidden(OurdataError):
    """Valid credentials, but not allowed to do this."""

    title = "Forbidden"


class MethodNotAllowed(OurdataError):
    title = "Method not allowed"


class Conflict(OurdataError):
    title = "Conflict"


class ValidationFailed(OurdataError):
    """Data that parses but does not conform (SHACL, reference checks): every problem is listed."""

    title = "Validation failed"


class QueryRejected(OurdataError):
    """A query we will not run (a forbidden SERVICE endpoint, an update sent to the query endpoint...)."""

    title = "Query not allowed"


class StoreLocked(OurdataError):
    """Another process holds the on-disk store for writing."""

    title = "Store locked"


class StoreError(OurdataError):
    """The storage engine failed: our fault, not the client's."""

    title = "Storage error"


class ServiceUnavailable(OurdataError):
    title = "Service unavailable"


class QueryTimeout(ServiceUnavailable):
    """A query ran past its time limit and was stopped (its reader process killed): nothing was sent."""

    title = "Query time limit reached"

    def __init__(self, detail: str, *, limit: float) -> None:
        super().__init__(detail)
        self.limit = limit

    @classmethod
    def stopped(cls, limit: float) -> QueryTimeout:
        """The refusal for a query whose process was stopped at ``limit`` seconds (reader or front process)."""
        return cls(f"The query ran past its time limit of {limit:g} s and was stopped; simplify it, add a LIMIT, "
                   "or ask for a longer limit with an admin token.", limit=round(limit, 3))


class QueryTooLarge(ServiceUnavailable):
    """A query needed more memory than a reader process may use, and was stopped: nothing was sent."""

    title = "Query memory limit reached"


class Busy(ServiceUnavailable):
    """Every query worker stayed busy for the whole time limit: try again shortly (sent with Retry-After)."""

    title = "Busy"
