"""The pages in a real browser: headless Chromium (Debian's /usr/bin/chromium, never a browser Playwright
downloads) over a live server with the bundled data. Each page loads without console errors and without
asking any other host for anything; search and facets narrow; the map shows markers; a query typed in the
editor returns a table; the contribute page reports a bad file's problems, then takes a good one.

Set OURDATA_SCREENSHOTS=docs/screenshots to save each page's screenshot there (the README shows them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import LiveServer
from web_support import bundled_server, bundled_store, count, shown_total

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium is not installed at /usr/bin/chromium "
                       "(apt-get install chromium; .ci/run does it)"),
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
GB = "dct:spatial <https://ourdata.coop/id/country/gb>"
SHOTS = os.environ.get("OURDATA_SCREENSHOTS")
NAMED = '?org <http://www.w3.org/2004/02/skos/core#prefLabel> "Browser Test Data Co-op" .'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with bundled_server(tmp_path_factory.mktemp("browser")) as live:
        with live.client() as client:
            client.get("/", headers={"Accept": "text/html"}).raise_for_status()  # builds the catalogue once
        yield live


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors, script errors and requests are recorded."""

    def __init__(self, browser: Any, server: LiveServer, width: int = 1280, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.server = server
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, path: str) -> Any:
        response = self.page.goto(self.server.url + path)
        assert response is not None and response.status == 200, path
        self.page.wait_for_load_state("networkidle")
        return self.page

    def check(self, *, allowed: tuple[str, ...] = ()) -> None:
        errors = [e for e in self.errors if not any(a in e for a in allowed)]
        assert errors == [], errors
        foreign = [u for u in self.requests if not u.startswith((self.server.url, "data:", "blob:"))]
        assert foreign == [], f"requests to other hosts: {foreign}"

    def shot(self, name: str, *, full: bool = True) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=full)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any, server: LiveServer) -> Iterator[Watched]:
    page = Watched(browser, server)
    yield page
    page.close()


PAGES = {
    "home": "/",
    "organisations": "/organisations",
    "editor": "/sparql",
    "contribute": "/contribute",
    "licence": "/doc/licence/CC-BY-SA-4.0",
    "legal-form": "/doc/legal-form/17R0",
    "country": "/doc/country/gb",
    "organisation": "/doc/organisation/coops-uk-R000257",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_without_console_errors(watched: Watched, name: str) -> None:
    page = watched.open(PAGES[name])
    assert page.locator("main h1").count() == 1
    assert page.locator("nav[aria-label=Main] a").count() >= 5
    if name == "organisations":
        page.wait_for_selector(".leaflet-marker-icon")
    watched.check()
    watched.shot(name, full=name in ("home", "contribute"))


@pytest.mark.parametrize("name", list(PAGES))
def test_page_passes_the_axe_accessibility_rules(watched: Watched, name: str) -> None:
    """axe-core (bundled by the PyPI package axe-playwright-python): no serious or critical violation
    (contrast, labels, names of links and buttons, landmarks, ARIA use...)."""
    from axe_playwright_python.sync_playwright import Axe

    page = watched.open(PAGES[name])
    if name == "organisations":
        page.wait_for_selector("#map[data-markers]")
    violations = Axe().run(page).response["violations"]
    serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_phone_width_has_no_horizontal_scroll(browser: Any, server: LiveServer) -> None:
    for name in ("home", "organisations", "editor", "contribute"):
        page = Watched(browser, server, width=390, height=844)
        try:
            opened = page.open(PAGES[name])
            overflow = opened.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, (name, overflow)
            page.check()
            if name in ("home", "organisations"):
                page.shot(f"phone-{name}", full=False)
        finally:
            page.close()


def test_search_and_facets_narrow_results(watched: Watched) -> None:
    page = watched.open("/organisations")
    everything = shown_total(page.content())
    page.fill("#q", "housing")
    page.press("#q", "Enter")
    page.wait_for_url("**/organisations?q=housing*")
    housing = shown_total(page.content())
    assert 0 < housing < everything
    # ticking a country applies at once (no button press): the count is the SPARQL count of that country
    before = page.url
    page.check("input[name=country][value=gb]")
    page.wait_for_url(lambda url: url != before)
    assert "country=gb" in page.url
    narrowed = shown_total(page.content())
    assert narrowed <= housing
    page.check("input[name=kind][value=cooperative]")
    page.wait_for_url("**kind=cooperative*")
    assert shown_total(page.content()) <= narrowed
    page.click(".chips a >> nth=0")  # remove the text query
    page.wait_for_load_state("networkidle")
    kind = "<https://ourdata.coop/def/institution-kind/cooperative>"
    assert shown_total(page.content()) == count(bundled_store(), f"?org {GB} ; org:classification {kind} .")
    watched.check()


def test_map_shows_markers_for_the_selection(watched: Watched) -> None:
    page = watched.open("/organisations?country=gb")
    page.wait_for_selector("#map[data-markers]")
    located = count(bundled_store(), f"?org {GB} ; org:hasRegisteredSite|org:hasSite ?site . "
                                     "?site geo:lat ?lat ; geo:long ?long .")
    assert int(page.get_attribute("#map", "data-markers")) == located > 1000
    clusters = page.locator(".marker-cluster")
    assert clusters.count() > 0
    shown = sum(int(text) for text in clusters.all_inner_texts() if text.strip().isdigit())
    singles = page.locator(".leaflet-marker-icon.dot-icon").count()
    assert 0 < shown + singles <= located
    assert page.locator("path.leaflet-interactive, .leaflet-overlay-pane path").count() > 100  # the world outline
    clusters.first.click()  # zooms in: more, smaller clusters or single markers
    page.wait_for_timeout(600)
    watched.check()


def test_query_typed_in_the_editor_returns_a_table(watched: Watched) -> None:
    page = watched.open("/sparql")
    query = ("PREFIX rov: <http://www.w3.org/ns/regorg#>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
             "SELECT ?org ?name WHERE {\n?org rov:orgType <https://ourdata.coop/id/legal-form/17R0> ;\n"
             "skos:prefLabel ?name .\n}\nORDER BY ?name")
    page.click("#query")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(query)
    assert page.locator("#highlight .tok-kw").count() >= 4  # highlighted as typed
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#results-table")
    expected = int(bundled_store().select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?org <http://www.w3.org/ns/regorg#orgType> "
        "<https://ourdata.coop/id/legal-form/17R0> ; <http://www.w3.org/2004/02/skos/core#prefLabel> ?name }")[0]["n"])
    assert page.locator("#results-table tbody tr").count() == expected > 0
    assert page.locator("#results-table thead th").all_inner_texts() == ["org", "name"]
    first = page.locator("#results-table tbody tr >> nth=0 >> td >> nth=0 >> a")
    assert first.get_attribute("href").startswith("/doc/organisation/")
    assert "/sparql?q=" in page.url  # shareable
    assert "format=csv" in page.get_attribute("#download-csv", "href")
    watched.shot("editor-results")
    # the shared link opens the editor with the query and runs it
    shared = watched.open(page.url.removeprefix(watched.server.url))
    shared.wait_for_selector("#results-table")
    assert shared.locator("#results-table tbody tr").count() == expected
    watched.check()


def test_example_question_runs_from_the_library(watched: Watched) -> None:
    page = watched.open("/sparql")
    page.click("[data-example='4']")  # Q5: licences that require share-alike
    page.wait_for_selector("#results-table")
    assert page.locator("#results-table tbody tr").count() > 0
    assert page.input_value("#query").startswith("# Q5.")
    watched.check()


def test_contribute_shows_problems_of_a_bad_file_then_takes_a_good_one(watched: Watched, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name,country,kind\n,Browser Test Co-op,Narnia,data-cooperative\n,,GB,cooperative\n")
    good = tmp_path / "good.csv"
    good.write_text("id,name,country,kind\n,Browser Test Data Co-op,GB,data-cooperative\n")
    page = watched.open("/contribute")
    page.set_input_files("#file", str(bad))
    page.fill("#token", watched.server.contributor_token)
    page.click("#check")
    page.wait_for_selector("#report-table")
    report = page.inner_text("#report")
    assert "Narnia" in report and "row 2, column country" in report and "row 3, column name" in report
    assert page.is_disabled("#send")
    watched.shot("contribute-problems")

    before = watched.server.store.count()
    page.set_input_files("#file", str(good))
    page.click("#check")
    page.wait_for_selector("#report .notice.good")
    assert "valid" in page.inner_text("#report") and watched.server.store.count() == before  # a dry run
    page.click("#send")
    page.wait_for_selector("#report-table a[href^='/doc/organisation/']")
    assert "the contribution is in" in page.inner_text("#report")
    assert watched.server.store.count() > before
    assert count(watched.server.store, NAMED) == 1
    # 422 for the bad file is the browser's one logged failure; withdraw the contribution (others count orgs)
    watched.check(allowed=("422",))
    with watched.server.client() as client:
        listed = client.get("/api/v1/contributions").json()["items"]
        mine = [c for c in listed if c["contributor"]["name"] == "test-contributor"]
        for contribution in mine:
            ident = contribution["id"] if "id" in contribution else contribution["iri"].rsplit("/", 1)[-1]
            client.delete(f"/api/v1/contributions/{ident}", headers={
                "Authorization": f"Bearer {watched.server.contributor_token}"}).raise_for_status()
    assert count(watched.server.store, NAMED) == 0  # withdrawn (its provenance history stays, as it should)
