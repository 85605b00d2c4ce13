"""The only place IRIs and graph names are minted. The base IRI comes from settings.

>>> iris = Iris("https://ourdata.coop/")
>>> iris.thing("organisation", "solent-health")
'https://ourdata.coop/id/organisation/solent-health'
>>> iris.graph("source", "coops-uk")
'https://ourdata.coop/graph/source/coops-uk'
>>> iris.meta_graph
'https://ourdata.coop/graph/meta'
>>> iris.slugify("Co-operatives UK Ltd. (Manchester)")
'co-operatives-uk-ltd-manchester'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from graph.errors import BadRequest

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$")
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class Iris:
    """Mints IRIs under one base (``https://ourdata.coop/`` unless the deployment sets another)."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith("/"):
            object.__setattr__(self, "base", self.base + "/")

    # things, documents, definitions
    def thing(self, kind: str, slug: str) -> str:
        """``{base}id/{kind}/{slug}``; raises BadRequest for a kind or slug that is not IRI-safe."""
        return f"{self.base}id/{self._kind(kind)}/{self.checked_slug(slug)}"

    def document(self, kind: str, slug: str) -> str:
        return f"{self.base}doc/{self._kind(kind)}/{self.checked_slug(slug)}"

    def definition(self, *parts: str) -> str:
        """``{base}def/`` or ``{base}def/{scheme}/{code}``."""
        return self.base + "def/" + "/".join(self.checked_slug(p) for p in parts)

    # named graphs
    @property
    def ontology_graph(self) -> str:
        return f"{self.base}graph/ontology"

    @property
    def meta_graph(self) -> str:
        return f"{self.base}graph/meta"

    def graph(self, family: str, name: str) -> str:
        """``{base}graph/{family}/{name}``: family is ``reference``, ``source``, ``vocabulary`` or ``contribution``."""
        return f"{self.base}graph/{self._kind(family)}/{self.checked_slug(name)}"

    def skolem(self, scope: str, label: str) -> str:
        """``{base}.well-known/genid/{scope}/{label}``: stands for a blank node of a third-party file
        (RDF 1.1 skolem IRI), so bundled graphs hold no blank nodes and re-imports diff cleanly."""
        return f"{self.base}.well-known/genid/{self._kind(scope)}/{self.checked_slug(label)}"

    @property
    def sparql_endpoint(self) -> str:
        return f"{self.base}sparql"

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)

    # helpers
    @staticmethod
    def slugify(text: str, max_length: int = 80) -> str:
        """A readable, stable slug: ASCII, lower case, words joined by '-'."""
        ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
        return slug[:max_length].rstrip("-") or "unnamed"

    @staticmethod
    def checked_slug(slug: str) -> str:
        if not _SLUG.match(slug):
            raise BadRequest(f"'{slug}' is not a valid identifier (letters, digits, '.', '_', '~', '-').")
        return slug

    @staticmethod
    def _kind(kind: str) -> str:
        if not _KIND.match(kind):
            raise BadRequest(f"'{kind}' is not a valid kind of resource.")
        return kind
