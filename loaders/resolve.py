"""Turns what people type (a code, a name, a URL) into our reference IRIs, or says which ones it could be.

Used by the organisation importers and by contributions, so every source maps "UK", "GBR", "England"
and "Royaume-Uni" to the same country, and "CC BY 4.0", "CC-BY-4.0" and the licence URL to the same
licence. Each function returns ``(iri, candidates)``: a unique match gives ``(iri, [])``; an ambiguous
or near match gives ``(None, [iri, ...])`` for a person to choose from; nothing gives ``(None, [])``.
The tables are built once from the bundled files and cached.

>>> from graph.iris import Iris
>>> iris = Iris("https://ourdata.coop/")
>>> country_iri(iris, "UK")
('https://ourdata.coop/id/country/gb', [])
>>> country_iri(iris, "Österreich")[0]
'https://ourdata.coop/id/country/at'
>>> country_iri(iris, "Atlantis")
(None, [])
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache

from graph.iris import Iris
from loaders.sources.reference_common import EU_COUNTRY, country_names

Candidates = list[str]

#: Names people use that ISO 3166-1 does not give (nations of the UK, short forms, EU codes EL and UK).
COUNTRY_SYNONYMS: dict[str, str] = {
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "cymru": "GB", "northern ireland": "GB", "alba": "GB", "united kingdom of great britain": "GB",
    "el": "GR", "hellas": "GR", "ellada": "GR",
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "america": "US", "united states of america": "US",
    "holland": "NL", "the netherlands": "NL", "nederland": "NL",
    "czech republic": "CZ", "russia": "RU", "south korea": "KR", "korea": "KR", "republic of korea": "KR",
    "north korea": "KP", "iran": "IR", "vietnam": "VN", "viet nam": "VN", "turkey": "TR", "ivory coast": "CI",
    "cape verde": "CV", "swaziland": "SZ", "macedonia": "MK", "burma": "MM", "vatican": "VA",
    "vatican city": "VA", "holy see": "VA", "palestine": "PS", "laos": "LA", "syria": "SY", "tanzania": "TZ",
    "moldova": "MD", "bolivia": "BO", "venezuela": "VE", "taiwan": "TW", "brunei": "BN", "micronesia": "FM",
    "east timor": "TL", "dr congo": "CD", "drc": "CD", "democratic republic of congo": "CD",
    "republic of the congo": "CG", "congo-brazzaville": "CG", "congo-kinshasa": "CD",
    "the gambia": "GM", "the bahamas": "BS", "eire": "IE", "éire": "IE", "republic of ireland": "IE",
    "deutschland": "DE", "osterreich": "AT", "schweiz": "CH", "suisse": "CH", "svizzera": "CH",
    "espana": "ES", "italia": "IT", "sverige": "SE", "norge": "NO", "danmark": "DK", "suomi": "FI",
    "polska": "PL", "cesko": "CZ", "slovensko": "SK", "magyarorszag": "HU", "hrvatska": "HR",
    "slovenija": "SI", "eesti": "EE", "latvija": "LV", "lietuva": "LT", "ellas": "GR", "kypros": "CY",
    "romania": "RO", "bulgaria": "BG", "belgique": "BE", "belgie": "BE", "luxembourg": "LU", "portugal": "PT",
    "island": "IS", "ísland": "IS",
}


#: Letters NFKD does not split into a base letter and an accent.
_FOLD = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d"})


def normalise(text: str) -> str:
    """Case-, accent- and spacing-insensitive key ("Österreich " -> "osterreich", "Spółdzielnia" -> "spoldzielnia")."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold().translate(_FOLD))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", stripped.replace("’", "'"))


@lru_cache(maxsize=1)
def _country_index() -> dict[str, frozenset[str]]:
    """Every key we accept -> the alpha-2 codes it can mean (more than one = ambiguous)."""
    index: dict[str, set[str]] = defaultdict(set)
    for alpha2, names in country_names().items():
        for name in names:
            index[normalise(name)].add(alpha2)
    for name, alpha2 in COUNTRY_SYNONYMS.items():
        index[normalise(name)] = {alpha2}  # our synonyms win over translations that collide
    return {key: frozenset(codes) for key, codes in index.items()}


def _country(iris: Iris, alpha2: str) -> str:
    return iris.thing("country", alpha2.lower())


def country_iri(iris: Iris, text: str) -> tuple[str | None, Candidates]:
    """Our country IRI for an ISO alpha-2/alpha-3 code, a numeric code, a name in any language pycountry
    translates, or a common synonym (England, UK, Deutschland...)."""
    raw = (text or "").strip()
    for prefix in (iris.base + "id/country/", EU_COUNTRY):  # our own IRI, or the EU authority's (alpha-3)
        if raw.startswith(prefix):
            raw = raw.removeprefix(prefix).rstrip("/")
            break
    key = normalise(raw)
    if not key:
        return None, []
    index = _country_index()
    codes = index.get(key) or index.get(key.removeprefix("the ")) or index.get(re.sub(r"[.,]", "", key))
    if codes and len(codes) == 1:
        return _country(iris, next(iter(codes))), []
    if codes:
        return None, sorted(_country(iris, c) for c in codes)
    if len(key) <= 3:  # a wrong code: guessing from three letters would mislead
        return None, []
    near = difflib.get_close_matches(key, [k for k in index if len(k) > 3], n=5, cutoff=0.85)
    return None, sorted({_country(iris, c) for k in near for c in index[k]})


@lru_cache(maxsize=1)
def _legal_form_index() -> tuple[dict[str, str], dict[tuple[str, str], frozenset[str]], frozenset[str]]:
    """(code -> country, (country, normalised name or abbreviation) -> codes, inactive codes) from the bundled CSV."""
    from loaders.sources import legal_forms as elf  # the CSV columns live there

    country_of: dict[str, str] = {}
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    inactive: set[str] = set()
    for code, rows in elf.rows_by_code().items():
        country = rows[0][elf.COUNTRY].strip().upper()
        country_of[code] = country
        if rows[0][elf.STATUS] == "INAC":
            inactive.add(code)
        for row in rows:
            labels = [row[elf.LOCAL_NAME], row[elf.TRANSLITERATED]]
            labels += elf.abbreviations(row[elf.ABBREVIATIONS])
            labels += elf.abbreviations(row[elf.ABBREVIATIONS_TRANSLITERATED])
            for label in labels:
                if label.strip():
                    names[(country, normalise(label))].add(code)
    return country_of, {key: frozenset(codes) for key, codes in names.items()}, frozenset(inactive)


def legal_form_iri(iris: Iris, text: str, country_alpha2: str | None = None) -> tuple[str | None, Candidates]:
    """Our legal-form IRI for an ELF code, or for a local name or abbreviation of a form of that country
    ("Co-operative Society", "eG", "SCOP" ...). When a name fits several forms and exactly one is active,
    that one is returned; otherwise all of them are candidates."""
    country_of, names, inactive = _legal_form_index()
    raw = (text or "").strip()
    if raw.upper() in country_of:
        return iris.thing("legal-form", raw.upper()), []
    key = normalise(raw)
    if not key:
        return None, []
    country = (country_alpha2 or "").strip().upper()
    if country:
        codes = set(names.get((country, key), ()))
    else:
        codes = {code for (_, name), found in names.items() if name == key for code in found}
    if not codes:
        return None, []
    active = codes - inactive
    if len(codes) == 1 or len(active) == 1:
        return iris.thing("legal-form", next(iter(active or codes))), []
    return None, sorted(iris.thing("legal-form", code) for code in codes)


#: Short names people write for the common data licences (alphanumeric keys, see :func:`_licence_key`).
LICENCE_ALIASES: dict[str, tuple[str, ...]] = {
    "odbl": ("ODbL-1.0",), "pddl": ("PDDL-1.0",), "odcby": ("ODC-By-1.0",), "odcattribution": ("ODC-By-1.0",),
    "cc0": ("CC0-1.0",), "pdm": ("CC-PDM-1.0",), "pdm10": ("CC-PDM-1.0",), "publicdomainmark": ("CC-PDM-1.0",),
    "publicdomainmark10": ("CC-PDM-1.0",),
    "ogl": ("OGL-UK-1.0", "OGL-UK-2.0", "OGL-UK-3.0"), "ogl1": ("OGL-UK-1.0",), "ogl2": ("OGL-UK-2.0",),
    "ogl3": ("OGL-UK-3.0",), "ogl10": ("OGL-UK-1.0",), "ogl20": ("OGL-UK-2.0",), "ogl30": ("OGL-UK-3.0",),
    "opengovernmentlicense": ("OGL-UK-1.0", "OGL-UK-2.0", "OGL-UK-3.0"),
}


def _licence_key(text: str) -> str:
    """'CC BY 4.0', 'cc-by-4.0' and 'CC BY v4.0' -> 'ccby40'; 'licence' and 'license' compare equal."""
    key = normalise(text).replace("licence", "license")
    key = re.sub(r"\bv(?:ersion)?\s*(?=\d)", "", key)
    return re.sub(r"[^a-z0-9]", "", key)


def _url_key(url: str) -> str:
    """A licence URL without scheme, 'www.', '/legalcode', '/deed.xx', '.html' or a trailing slash."""
    key = normalise(url)
    key = re.sub(r"^[a-z]+://", "", key).removeprefix("www.")
    key = re.sub(r"(\.html?|\.txt|\.json)$", "", key.rstrip("/"))
    key = re.sub(r"/(legalcode|deed)(\.[a-z-]+)?$", "", key)
    return key.rstrip("/")


@lru_cache(maxsize=1)
def _licence_index() -> tuple[dict[str, str], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(exact SPDX id lower-cased -> id, name/id key -> ids, URL key -> ids) from the bundled files."""
    from loaders.sources.licences import crosswalk, spdx_licences

    exact: dict[str, str] = {}
    keys: dict[str, set[str]] = defaultdict(set)
    urls: dict[str, set[str]] = defaultdict(set)
    for spdx_id, entry in spdx_licences().items():
        exact[spdx_id.casefold()] = spdx_id
        keys[_licence_key(spdx_id)].add(spdx_id)
        keys[_licence_key(entry["name"])].add(spdx_id)
        urls[_url_key("http://spdx.org/licenses/" + spdx_id)].add(spdx_id)
        if entry.get("url"):
            urls[_url_key(entry["url"])].add(spdx_id)
    for row in crosswalk():
        for column in ("licence_iri", "rdflicense_iri"):
            if row[column]:
                urls[_url_key(row[column])].add(row["spdx_id"])
    for alias, ids in LICENCE_ALIASES.items():
        keys[alias] = set(ids)
    return (exact, {k: frozenset(v) for k, v in keys.items()}, {k: frozenset(v) for k, v in urls.items()})


def licence_iri(iris: Iris, text: str) -> tuple[str | None, Candidates]:
    """Our licence IRI for an SPDX id, a licence URL (http or https, with or without 'www.', '/legalcode' or
    a trailing slash; the SPDX, licensor or RDFLicense IRI; our own IRI) or a licence name ("CC BY 4.0",
    "Open Government Licence v3.0", "ODbL"). Versionless names ("CC BY", "OGL") give candidates."""
    from loaders.sources.licences import licence_slug

    def iri(spdx_id: str) -> str:
        return iris.thing("licence", licence_slug(spdx_id))

    def answer(ids: frozenset[str] | set[str]) -> tuple[str | None, Candidates]:
        if len(ids) == 1:
            return iri(next(iter(ids))), []
        return None, sorted(iri(i) for i in ids)

    raw = (text or "").strip()
    if not raw:
        return None, []
    exact, keys, urls = _licence_index()
    ours = iris.base + "id/licence/"
    if raw.startswith(ours):
        slug = raw.removeprefix(ours).rstrip("/")
        found = {i for i in exact.values() if licence_slug(i) == slug}
        return answer(found) if found else (None, [])
    if raw.casefold() in exact:
        return iri(exact[raw.casefold()]), []
    if re.match(r"^[a-z]+://", raw, re.IGNORECASE) or raw.lower().startswith("www."):
        url = _url_key(raw)
        if url in urls:
            return answer(urls[url])
        return answer({i for k, ids in urls.items() if k.startswith(url + "/") for i in ids})
    key = _licence_key(raw)
    if key in keys:
        return answer(keys[key])
    if key and not key[-1].isdigit():  # a versionless name: every version is a candidate
        versions = {i for k, ids in keys.items() if re.fullmatch(re.escape(key) + r"\d+", k) for i in ids}
        if versions:
            return answer(versions) if len(versions) > 1 else (None, sorted(iri(i) for i in versions))
    near = difflib.get_close_matches(key, list(keys), n=5, cutoff=0.9)
    return None, sorted({iri(i) for k in near for i in keys[k]})
