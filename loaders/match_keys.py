"""The keys two sources' records are compared on (see ``loaders/matching.py``): a homepage, a name, a Wikidata id and
a register number, each normalised so that the same thing written differently gives the same key.

>>> url_key("https://www.Coops.tech/en/")
'coops.tech'
>>> name_key("The Unicorn Grocery Co-operative Ltd.")
'unicorn grocery cooperative'
>>> wikidata_id("https://www.wikidata.org/wiki/Q42"), registration_key("Companies House", "sc 123")
('Q42', 'companies house|SC123')
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

#: Hosts shared by many unrelated bodies: their bare host says nothing about who the page belongs to.
GENERIC_HOSTS = frozenset({
    "github.com", "gitlab.com", "facebook.com", "twitter.com", "x.com", "linkedin.com", "instagram.com",
    "youtube.com", "medium.com", "wordpress.com", "blogspot.com", "google.com", "sites.google.com", "wix.com",
    "arcgis.com", "opendata.arcgis.com", "figshare.com", "zenodo.org", "wikipedia.org", "en.wikipedia.org",
})
_LEGAL_SUFFIXES = {"limited", "ltd", "cic", "llp", "plc", "cio", "scio", "inc", "gmbh", "ev", "e v", "llc", "sarl",
                   "sas", "scop", "scic", "bv", "ag", "ab", "oy", "srl", "sl", "sa"}
_WIKIDATA = re.compile(r"^(?:https?://(?:www\.)?wikidata\.org/(?:entity|wiki)/)?(Q[1-9][0-9]*)$", re.IGNORECASE)
_LANGUAGE_SEGMENT = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2})?$")
_HOME_SEGMENTS = frozenset({"home", "homepage", "welcome", "index", "start"})
_INDEX_PAGE = re.compile(r"/(?:index|default|home)\.(?:html?|php|aspx?)$")

def url_key(url: str | None) -> str | None:
    """A homepage without what does not tell two sites apart; None for what is not a web address.

    >>> url_key("http://www.aberdeencity.gov.uk/") == url_key("https://aberdeencity.gov.uk") == url_key(
    ...     "https://www.aberdeencity.gov.uk/home")
    True
    >>> url_key("https://github.com/ODIAberdeen/"), url_key("https://github.com") is None
    ('github.com/odiaberdeen', True)
    """
    text = (url or "").strip()
    if not text:
        return None
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").casefold().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.casefold() not in ("http", "https") or "." not in host or "@" in parts.netloc:
        return None  # an e-mail address or a URL with credentials names a mailbox, not a site
    host = host.removeprefix("www.")
    path = _INDEX_PAGE.sub("", parts.path.casefold()).rstrip("/")
    segments = [s for s in path.split("/") if s]
    if len(segments) == 1 and (_LANGUAGE_SEGMENT.match(segments[0]) or segments[0] in _HOME_SEGMENTS):
        segments = []  # /en/, /fr-ca or /home: the same home page
    if not segments and host in GENERIC_HOSTS:
        return None
    return "/".join([host, *segments])


def name_key(name: str) -> str:
    """A key for "the same name": case, accents, punctuation, "the", "&" and legal suffixes ignored."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("&", " and ")
    text = re.sub(r"\bco[\s-]+op", "coop", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    if words and words[0] == "the":
        words = words[1:]
    while words and (words[-1] in _LEGAL_SUFFIXES or " ".join(words[-2:]) in _LEGAL_SUFFIXES):
        words = words[:-2] if " ".join(words[-2:]) in _LEGAL_SUFFIXES else words[:-1]
    return " ".join(words)


def wikidata_id(value: str) -> str | None:
    """``Q42`` from ``Q42``, ``http://www.wikidata.org/entity/Q42`` or ``https://www.wikidata.org/wiki/Q42``."""
    found = _WIKIDATA.match((value or "").strip())
    return found[1].upper() if found else None


def registration_key(agency: str, number: str) -> str | None:
    """``companies house|SC123456``: the register's name normalised, the number without spaces, upper case."""
    agency_key, number_key = name_key(agency), re.sub(r"\s+", "", number or "").upper()
    return f"{agency_key}|{number_key}" if agency_key and number_key else None
