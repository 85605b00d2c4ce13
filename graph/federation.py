"""The federation guard: which remote endpoints a query (``SERVICE``) or an update (``LOAD``) may reach.

The engine has an HTTP client compiled in and no switch to turn it off, so a public endpoint would
otherwise fetch any URL a client names (SSRF). Every endpoint is read from the *parsed* query (rdflib's
SPARQL parser and algebra, prefixes and BASE resolved), never by pattern-matching the text.

Allow-list entries are exact endpoint IRIs, compared by scheme, host, port, path and query. The entry
``*`` allows any public http(s) endpoint: its host is resolved and every address must be public
(loopback, link-local, private and unspecified addresses are refused). An exactly listed IRI is allowed
whatever it resolves to: listing it is the explicit permission.

Fast path: the text is only parsed when it contains the letters ``service`` (or ``load`` for updates)
in any case. The engine does not expand ``\\u`` escapes outside IRIs and strings, so a keyword cannot
hide from that test; the lexer of :mod:`graph.sparql_text` is not used to skip the parse because a
``<`` operator or a ``\\u`` escape in an IRI can make it misread where strings and IRIs are. When the
text mentions the keyword and rdflib cannot parse it, the query is refused: unchecked is not allowed.

>>> guard = FederationGuard(service_allowlist=["http://partner.example/sparql"])
>>> guard.check_query("SELECT * { ?s ?p 'SERVICE <http://127.0.0.1/>' }")
>>> guard.check_query("SELECT * { SERVICE <http://partner.example/sparql> { ?s ?p ?o } }")
>>> guard.check_query("SELECT * { SERVICE <http://other.example/sparql> { ?s ?p ?o } }")
Traceback (most recent call last):
...
graph.errors.QueryRejected: SERVICE <http://other.example/sparql> is not on this server's federation allow-list...
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from rdflib.term import URIRef, Variable

from graph.errors import QueryRejected

ANY_PUBLIC = "*"
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: Resolves a host name to its addresses (``socket.getaddrinfo`` in production).
Resolver = Callable[[str], list[str]]


def resolve(host: str) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise QueryRejected(f"The endpoint host '{host}' does not resolve: {exc}") from exc
    return [str(info[4][0]) for info in infos]


def endpoint_key(iri: str) -> tuple[str, str, int, str, str] | None:
    """What makes two endpoint IRIs the same endpoint; None when it is not an http(s) IRI with a host."""
    try:
        parts = urlsplit(iri)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme], parts.path or "/", parts.query


def is_public_address(address: str) -> bool:
    """False for loopback, link-local, private (RFC 1918, fc00::/7), unspecified and similar addresses."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (ip.is_loopback or ip.is_link_local or ip.is_private or ip.is_unspecified or ip.is_reserved
                or ip.is_multicast)


@dataclass(frozen=True)
class FederationGuard:
    """Checks queries and updates before the engine sees them. Empty allow-lists (the default) refuse all."""

    service_allowlist: Iterable[str] = ()
    load_allowlist: Iterable[str] = ()
    resolver: Resolver = resolve
    _service: frozenset[Any] = field(init=False, repr=False)
    _load: frozenset[Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_service", _keys(self.service_allowlist))
        object.__setattr__(self, "_load", _keys(self.load_allowlist))

    @classmethod
    def from_settings(cls, settings: Any) -> FederationGuard:
        return cls(service_allowlist=tuple(settings.service_allowlist), load_allowlist=tuple(settings.load_allowlist))

    def check_query(self, query: str, base_iri: str | None = None) -> None:
        """Raises QueryRejected when the query would reach an endpoint that is not allowed."""
        if "service" not in query.lower():
            return
        from rdflib.plugins.sparql.algebra import translateQuery
        from rdflib.plugins.sparql.parser import parseQuery

        try:
            algebra = translateQuery(parseQuery(query), base=base_iri).algebra
        except Exception as exc:  # noqa: BLE001 - any failure means we could not check it
            raise _unchecked("query", "SERVICE", exc) from exc
        for term in _service_terms(algebra):
            self._check(term, self._service, "SERVICE", "service_allowlist")

    def check_update(self, update: str, base_iri: str | None = None) -> None:
        """Raises QueryRejected for a LOAD or a SERVICE (in a WHERE clause) that is not allowed."""
        lowered = update.lower()
        if "service" not in lowered and "load" not in lowered:
            return
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        try:
            operations = translateUpdate(parseUpdate(update), base=base_iri).algebra
        except Exception as exc:  # noqa: BLE001 - any failure means we could not check it
            raise _unchecked("update", "LOAD or SERVICE", exc) from exc
        for operation in operations:
            if getattr(operation, "name", None) == "Load":
                self._check(operation["iri"], self._load, "LOAD", "load_allowlist")
            for term in _service_terms(operation):
                self._check(term, self._service, "SERVICE", "service_allowlist")

    def _check(self, term: Any, allowed: frozenset[Any], keyword: str, setting: str) -> None:
        if isinstance(term, Variable):
            raise QueryRejected(f"{keyword} ?{term} names its endpoint with a variable; only endpoints on this "
                                "server's allow-list can be reached, so the endpoint must be an IRI.")
        iri = str(term)
        key = endpoint_key(iri)
        hint = f"(setting {setting}, env OURDATA_{setting.upper()})"
        if key is None:
            raise QueryRejected(f"{keyword} <{iri}> is not an http(s) IRI with a host; it cannot be reached {hint}.")
        if key in allowed:
            return
        if ANY_PUBLIC not in allowed:
            raise QueryRejected(f"{keyword} <{iri}> is not on this server's federation allow-list {hint}.")
        for address in self.resolver(key[1]):
            if not is_public_address(address):
                raise QueryRejected(f"{keyword} <{iri}> resolves to {address}, a loopback, link-local or private "
                                    f"address; list the exact IRI to allow it {hint}.")


def _keys(entries: Iterable[str]) -> frozenset[Any]:
    keys: set[Any] = set()
    for entry in entries:
        if entry == ANY_PUBLIC:
            keys.add(ANY_PUBLIC)
            continue
        key = endpoint_key(entry)
        if key is None:
            raise ValueError(f"allow-list entry '{entry}' is not an http(s) IRI with a host (or '*')")
        keys.add(key)
    return frozenset(keys)


def _service_terms(node: Any) -> Iterator[Any]:
    """Endpoint terms of every ``ServiceGraphPattern`` anywhere in an rdflib algebra tree."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, (str, URIRef, Variable)):
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            if getattr(item, "name", None) == "ServiceGraphPattern":
                yield item["term"]
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)


def _unchecked(what: str, keyword: str, exc: Exception) -> QueryRejected:
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return QueryRejected(
        f"The {what} mentions {keyword}, and our federation check could not parse it to see which endpoints it "
        f"would reach ({reason}); it is refused rather than run unchecked. If it is valid SPARQL, simplify the "
        f"syntax around it."
    )
