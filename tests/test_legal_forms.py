"""The ELF list in a real store: every code, name and abbreviation from the CSV; the co-operative rule both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pycountry
import pytest

from graph.embedded import EmbeddedStore
from graph.iris import Iris
from graph.sparql_text import checked_iri
from loaders.importer import import_source
from loaders.resolve import legal_form_iri
from loaders.sources import legal_forms as elf
from loaders.sources.legal_form_kinds import COOPERATIVE, MUTUAL, kinds

IRIS = Iris("https://ourdata.coop/")
SCHEME = checked_iri(IRIS.definition("legal-form"))
PREFIXES = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
            "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n")
GROUPED = elf.rows_by_code()


@pytest.fixture(scope="module")
def store() -> Iterator[EmbeddedStore]:
    store = EmbeddedStore.open(None)
    report = import_source(store, IRIS, elf.LegalForms())
    # the only thing we cannot map: Kosovo (XK) is not an ISO 3166-1 country
    assert {p["value"] for p in report.problems} <= {"XK"}
    yield store
    store.close()


def count(store: EmbeddedStore, where: str) -> int:
    return int(store.select(PREFIXES + f"SELECT (COUNT(DISTINCT ?f) AS ?n) WHERE {{ {where} }}")[0]["n"])


def labels(store: EmbeddedStore, prop: str) -> set[tuple[str, str, str]]:
    rows = store.select(PREFIXES + f"SELECT ?code ?l WHERE {{ ?f skos:inScheme {SCHEME} ; skos:notation ?code ;"
                        f" {prop} ?l }}")
    return {(str(r["code"]), str(r["l"]), r["l"].language or "") for r in rows}  # type: ignore[union-attr]


def test_one_concept_per_distinct_elf_code(store: EmbeddedStore) -> None:
    codes = {row[elf.CODE] for rows in GROUPED.values() for row in rows}
    assert count(store, f"?f skos:inScheme {SCHEME}") == len(codes) == len(GROUPED)
    assert count(store, f"?f skos:inScheme {SCHEME} ; skos:exactMatch ?g . "
                        "FILTER(STRSTARTS(STR(?g), 'https://rdf.gleif.org/EntityLegalForm/ELF-'))") == len(codes)


def test_inactive_codes_are_deprecated(store: EmbeddedStore) -> None:
    inactive = {code for code, rows in GROUPED.items() if rows[0][elf.STATUS] == "INAC"}
    assert count(store, f"?f skos:inScheme {SCHEME} ; owl:deprecated true") == len(inactive)


def test_every_local_name_with_its_language(store: EmbeddedStore) -> None:
    found = labels(store, "skos:prefLabel|skos:altLabel")
    expected = {(code, row[elf.LOCAL_NAME].strip(), row[elf.LANGUAGE].strip().lower())
                for code, rows in GROUPED.items() for row in rows if row[elf.LOCAL_NAME].strip()}
    assert expected <= found


def test_every_abbreviation_is_an_alt_label(store: EmbeddedStore) -> None:
    found = labels(store, "skos:altLabel")
    expected = {(code, abbreviation, row[elf.LANGUAGE].strip().lower()) for code, rows in GROUPED.items()
                for row in rows for abbreviation in elf.abbreviations(row[elf.ABBREVIATIONS])}
    assert expected and expected <= found
    assert ("PZ6Y", "AMBA", "da") in found
    assert {("CYW2", "VOF", "nl"), ("CYW2", "v.o.f.", "nl")} <= found  # "VOF;vof;V.O.F.;v.o.f." is four
    assert not any(";" in abbreviation for _, abbreviation, _ in found)


def test_at_most_one_pref_label_per_language(store: EmbeddedStore) -> None:
    rows = store.select(PREFIXES + f"""SELECT ?f WHERE {{ ?f skos:inScheme {SCHEME} ; skos:prefLabel ?a, ?b .
        FILTER(?a != ?b && lang(?a) = lang(?b)) }} LIMIT 1""")
    assert rows == []


def test_country_of_every_iso_code(store: EmbeddedStore) -> None:
    iso = {code for code, rows in GROUPED.items() if pycountry.countries.get(alpha_2=rows[0][elf.COUNTRY])}
    assert count(store, f"?f skos:inScheme {SCHEME} ; dct:spatial ?c") == len(iso)
    assert store.ask(PREFIXES + f"ASK {{ {checked_iri(IRIS.thing('legal-form', 'ZZGG'))} dct:spatial "
                     f"{checked_iri(IRIS.thing('country', 'gb'))} ; skos:prefLabel 'Co-operative Society'@en ; "
                     "skos:altLabel 'Co-op'@en }")


def test_jurisdiction_and_subdivision_kept(store: EmbeddedStore) -> None:
    with_subdivision = {code for code, rows in GROUPED.items() if rows[0][elf.SUBDIVISION].strip()}
    assert count(store, "?f <https://www.gleif.org/ontology/Base/hasSubdivision> ?s") == len(with_subdivision)
    assert store.ask(PREFIXES + f"ASK {{ {checked_iri(IRIS.thing('legal-form', '6DGX'))} dct:coverage "
                     "'Flemish Region'@en ; <https://www.gleif.org/ontology/Base/hasSubdivision> "
                     "<https://www.omg.org/spec/LCC/Countries/ISO3166-2-SubdivisionCodes-Adjunct/BE-VLG> }")


def test_placeholders_are_labelled() -> None:
    assert {"8888", "9999"} <= set(GROUPED)  # on the list, so part of the 3,599


def co_operative_codes(store: EmbeddedStore, target: str) -> set[str]:
    rows = store.select(PREFIXES + f"SELECT ?code WHERE {{ ?f skos:broadMatch {checked_iri(target)} ; "
                        "skos:notation ?code }")
    return {str(r["code"]) for r in rows}


def test_all_co_operative_forms_is_one_query(store: EmbeddedStore) -> None:
    expected = {code for code, rows in GROUPED.items()
                if COOPERATIVE[0] in kinds(rows[0][elf.COUNTRY], [r[c] for r in rows
                                                                  for c in (elf.LOCAL_NAME, elf.TRANSLITERATED)], code)}
    found = co_operative_codes(store, COOPERATIVE[0])
    assert found == expected
    assert len({GROUPED[c][0][elf.COUNTRY] for c in found}) > 50  # co-operative forms in many countries


@pytest.mark.parametrize("code", [
    "ZZGG",  # GB Co-operative Society
    "7VVZ",  # GB Co-operative Society (Northern Ireland)
    "WBQU",  # GB Credit Union (a financial co-operative)
    "AZFE",  # DE Eingetragene Genossenschaft (eG)
    "8XDW",  # AT Genossenschaft
    "V1Z5", "XPX6",  # FR SARL / SA coopérative de production (SCOP)
    "NFFH",  # NL coöperatie
    "28FE",  # BE coöperatieve vennootschap / société coopérative
    "8TOF",  # PL spółdzielnia
    "9RVC",  # CZ družstvo
    "EE90",  # FI osuuskunta / andelslag
    "PMJW",  # DK andelsselskab
    "K5P8",  # NO samvirkeforetak
    "C61P",  # SE ekonomisk förening
    "1QU8",  # ES sociedad cooperativa
    "QRZJ",  # IT società cooperativa
    "233U",  # CY Συνεταιρισμός
    "CTCH",  # BG Кооперация
    "QFGM",  # RU потребительские кооперативы
    "YBHM",  # BE European Co-operative Society (SCE)
])
def test_known_co_operatives_are_included(store: EmbeddedStore, code: str) -> None:
    assert code in co_operative_codes(store, COOPERATIVE[0])
    assert code in co_operative_codes(store, COOPERATIVE[1])


@pytest.mark.parametrize("code", [
    "IYXU",  # GB Community Benefit Society: not a co-operative under UK law (OS130 instead)
    "XLZV",  # GB Registered Society: either kind
    "17R0",  # GB Community Interest Company
    "H0PO",  # GB Private Limited Company
    "40DB",  # DE Offene Handelsgesellschaft ("Handels" is not "andels")
    "BEAY",  # SE Handelsbolag
    "EDN7",  # FI ekonomisk förening: not the Finnish co-operative form
    "4H0F",  # FR établissement public local de coopération: co-operation between authorities
    "AW80",  # CA association that may include co-ops
    "81KA",  # LT akcinė bendrovė (public company)
    "8ZQE",  # EE korteriühistu (apartment owners' association)
])
def test_look_alikes_are_not_co_operatives(store: EmbeddedStore, code: str) -> None:
    assert code in GROUPED
    assert code not in co_operative_codes(store, COOPERATIVE[0])


@pytest.mark.parametrize("code, is_mutual", [
    ("13AV", True),  # DE Versicherungsverein auf Gegenseitigkeit
    ("E12O", True),  # GB Building Society
    ("BX6Y", True),  # GB Friendly Society
    ("2XIK", True),  # FR Mutuelle
    ("WNX1", True),  # PL towarzystwo ubezpieczeń wzajemnych
    ("U8NM", False),  # IN Mutual Fund: an investment fund
    ("8WJ7", False),  # FI keskinäinen kiinteistöosakeyhtiö: a limited company
    ("ZZGG", False),
])
def test_mutuals(store: EmbeddedStore, code: str, is_mutual: bool) -> None:
    assert (code in co_operative_codes(store, MUTUAL[0])) is is_mutual


def test_community_benefit_societies_match_os130(store: EmbeddedStore) -> None:
    os130 = co_operative_codes(store, "http://purl.org/essglobal/standard/organisational-structure/OS130")
    assert {"IYXU", "UTY8", "FVGZ"} <= os130


@pytest.mark.parametrize("text, country, code", [
    ("ZZGG", None, "ZZGG"), ("zzgg", "FR", "ZZGG"), ("Co-operative Society", "GB", "ZZGG"),
    ("co-operative society", "gb", "ZZGG"), ("eG", "DE", "AZFE"), ("Genossenschaft", "DE", "US8E"),
    ("Community Benefit Society", "GB", "IYXU"), ("spółdzielnia", "PL", "8TOF"), ("Spoldzielnia", "PL", "8TOF"),
    ("AMBA", "DK", "PZ6Y"),
])
def test_legal_form_iri_resolves(text: str, country: str | None, code: str) -> None:
    assert legal_form_iri(IRIS, text, country) == (IRIS.thing("legal-form", code), [])


def test_legal_form_iri_ambiguous_and_unknown() -> None:
    iri, candidates = legal_form_iri(IRIS, "Ltd", "GB")
    assert iri is None and IRIS.thing("legal-form", "H0PO") in candidates and len(candidates) > 1
    iri, candidates = legal_form_iri(IRIS, "Genossenschaft")  # no country: DE, AT, CH, LI, BE
    assert iri is None and len(candidates) >= 4
    assert legal_form_iri(IRIS, "Co-operative Society", "FR") == (None, [])
    assert legal_form_iri(IRIS, "", "GB") == (None, [])
