"""Which ISO 20275 legal forms are co-operatives, mutuals, community benefit societies or CICs.

The ELF list says nothing about this, so we decide from each form's names in every language it is
given in (local and transliterated): a form is a co-operative when any of its names uses a word for
co-operative in that language, a mutual likewise. The result is a ``skos:broadMatch`` to ESSGLOBAL's
generic concepts, so "all co-operative legal forms, in every country" is one query:
``?form skos:broadMatch <http://purl.org/essglobal/standard/legal-form/L2>``.

Decisions (each is a real legal distinction, not a guess from spelling):
- Credit unions (and Quebec's caisses populaires, Poland's SKOK) are financial co-operatives: co-operative.
- Nordic housing co-operatives (NO borettslag/boligbyggelag, SE bostadsrättsförening) and Sweden's
  ekonomisk förening (the Swedish co-operative form) and medlemsbank are co-operatives. Finland's
  "ekonomisk förening" is a different, non-co-operative form: the rule is Sweden only.
- Community benefit societies and industrial and provident societies (GB IYXU, UTY8, FVGZ; IE, NZ) are
  *not* co-operatives under UK law (the 2014 Act separates the two): they match ESSGLOBAL OS130
  (Community Benefit Society / IPS) instead. GB XLZV "Registered Society" covers both kinds, so it
  matches neither. Community interest companies match OS120.
- Mutual funds are investment funds, not mutuals; Finland's "mutual real-estate company" is a
  limited company. Both are excluded.
- A few inactive Puerto Rico codes carry an English and a Spanish name for different forms (a GLEIF
  data error): any co-operative name marks the code, as the rule says.

>>> sorted(kinds("DE", ["Eingetragene Genossenschaft"]))
['http://purl.org/essglobal/standard/legal-form/L2', 'http://purl.org/essglobal/standard/organisational-structure/OS115']
>>> kinds("DE", ["Offene Handelsgesellschaft"])
set()
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ESS = "http://purl.org/essglobal/standard/"
COOPERATIVE = (ESS + "legal-form/L2", ESS + "organisational-structure/OS115")
MUTUAL = (ESS + "organisational-structure/OS170",)
COMMUNITY_BENEFIT = (ESS + "organisational-structure/OS130",)
COMMUNITY_INTEREST = (ESS + "organisational-structure/OS120",)

#: Words for "co-operative" after :func:`fold` (lower case, accents removed; Polish ł stays).
_COOPERATIVE = re.compile("|".join([
    r"\bco-?ops?\b", r"co-?operati(?:v|f|e|st)",  # en, fr, es, it, pt, nl (coöperatie), ro; not "cooperation"
    r"kooperat(?!ion)", r"genossenschaft", r"osuus(?:kunta|pankki)", r"(?<!h)andels(?:lag|selskab|bank)",
    r"samvirke", r"społdziel", r"druzstv", r"szovetkezet", r"zadrug", r"(?:tulundus|hoone|euroopa )uhistu",
    r"συνεταιρ", r"коопера", r"задруг", r"合作社",
    r"credit unions?\b", r"caisse populaire", r"borettslag", r"boligbyggelag", r"bostadsrattsforening",
    r"medlemsbank",
]))
_SWEDISH_COOPERATIVE = re.compile(r"\bekonomisk forening\b")
_MUTUAL = re.compile("|".join([
    r"mutu", r"gegenseitigkeit", r"omsesidig", r"keskinainen", r"gjensidig", r"gensidig", r"onderlinge",
    r"wzajemn", r"kolcsonos", r"взаимного страх", r"friendly societ", r"building societ",
]))
_NOT_MUTUAL = re.compile(r"mutual fund|fonds? mutuel|keskinainen kiinteisto|omsesidigt fastighets")
_COMMUNITY_BENEFIT = re.compile(r"community benefit societ|industrial and provident")
_COMMUNITY_INTEREST = re.compile(r"community interest compan")
#: Names that mention co-operatives without being a co-operative form: code -> why.
EXCLUDED = {
    "AW80": "CA 'Association (includes housing cooperative and community service cooperative)': broader than co-ops",
    "CT3J": "CA non-profit legal persons under dozens of Quebec acts, one of which is on co-operative associations",
}


def fold(text: str) -> str:
    """Lower case without accents, so 'Coöperatie' and 'COOPERATIE' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def kinds(country: str, names: Iterable[str], code: str = "") -> set[str]:
    """The ESSGLOBAL concepts a legal form is narrower than, from its country and all its names."""
    if code in EXCLUDED:
        return set()
    folded = [fold(name) for name in names if name]
    found: set[str] = set()
    if any(_COOPERATIVE.search(n) for n in folded) or (
            country == "SE" and any(_SWEDISH_COOPERATIVE.search(n) for n in folded)):
        found.update(COOPERATIVE)
    if any(_MUTUAL.search(n) and not _NOT_MUTUAL.search(n) for n in folded):
        found.update(MUTUAL)
    if any(_COMMUNITY_BENEFIT.search(n) for n in folded):
        found.update(COMMUNITY_BENEFIT)
    if any(_COMMUNITY_INTEREST.search(n) for n in folded):
        found.update(COMMUNITY_INTEREST)
    return found
