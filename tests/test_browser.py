"""The query page (YASGUI) and the entity pages in a real headless Chromium (Debian's
`chromium`, driven by Playwright).

The pages must work with no internet (every request goes to the server itself) and within the
server's Content-Security-Policy (no violation reported). The screenshots land in /tmp
(kgtool-query-page.png, kgtool-query-results.png, kgtool-search.png, kgtool-entity-page.png)
for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import Server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp")
RESULTS = ".tabPanel.active .yasr table.dataTable"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, server: Server) -> Iterator[Any]:
    """A fresh page that records every URL it asks for (to prove nothing leaves the server)
    and every script error and console error (a refused Content-Security-Policy is one)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    opened = context.new_page()
    opened.requested = []
    opened.errors = []
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    opened.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    yield opened
    context.close()


def _clean(page: Any, server: Server) -> None:
    elsewhere = [url for url in page.requested if not url.startswith(server.url + "/")]
    assert not elsewhere, f"the page fetched from elsewhere: {elsewhere}"
    assert not page.errors, page.errors


def _run_named(page: Any, server: Server, name: str, **params: str) -> Any:
    page.goto(server.url + "/")
    entry = page.locator(f"#catalog li[data-name='{name}']")
    entry.wait_for()
    for param, value in params.items():
        entry.locator(f"input[name='{param}']").fill(value)
    entry.locator(f"button[data-run='{name}']").click()
    page.locator(f"{RESULTS} tbody tr").first.wait_for()
    return entry


def _variables(server: Server, path: str) -> list[str]:
    request = urllib.request.Request(
        server.url + path, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        head: list[str] = json.load(response)["head"]["vars"]
    return head


def test_named_query_with_a_parameter_runs_in_yasgui(page: Any, server: Server) -> None:
    entry = _run_named(page, server, "measures-reaching", target="深度求索")
    assert "哪些措施" in entry.inner_text()  # the Chinese question is on the page
    # the query runs in a tab of its own, whose editor shows it with the parameter bound
    assert page.evaluate("window.kgtoolYasgui.getTab().getName()") == "measures-reaching"
    shown = page.evaluate("window.kgtoolYasgui.getTab().getQuery()")
    assert "VALUES ?target { <https://w3id.org/kgtool/id/DeepSeek> }" in shown
    assert shown.startswith("# title: Measures that could reach an actor")
    # every column of the answer is in the table, each header wide enough to read
    headers = page.locator(f"{RESULTS} thead th").all_inner_texts()
    wanted = _variables(server, "/queries/measures-reaching?target=DeepSeek")
    assert [h.strip() for h in headers if h.strip()] == wanted
    assert "explanation" in wanted and "quote" in wanted
    widths = page.evaluate(
        f"[...document.querySelectorAll('{RESULTS} thead th')].map(th => th.offsetWidth)"
    )
    assert min(widths) >= 30
    table = page.locator(RESULTS).inner_text()
    assert "Export controls on high-end chips to China" in table
    assert "DeepSeek headquartered in China" in table  # an explanation, whole
    assert "這家專注于模型研發" in table  # the article's quotes, in Chinese
    assert page.locator(f"{RESULTS}.ellipseTable").count() == 0  # values are never cut
    # the page itself never overflows sideways: the table scrolls in its own box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "kgtool-query-page.png"))
    page.locator(RESULTS).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "kgtool-query-results.png"))
    _clean(page, server)


def test_results_export_as_csv(page: Any, server: Server) -> None:
    _run_named(page, server, "chips")
    with page.expect_download() as download:
        page.locator(".tabPanel.active .yasr_downloadIcon").click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(saved)))
    assert rows[0] == _variables(server, "/queries/chips")
    assert any("Nvidia H100" in row for row in rows[1:])
    assert len(rows) == 1 + int(
        page.evaluate("window.kgtoolYasgui.getTab().getYasr().results.getBindings().length")
    )
    _clean(page, server)


def test_a_name_the_graph_lacks_is_reported_beside_the_question(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    entry = page.locator("#catalog li[data-name='claims-about']")
    entry.wait_for()
    entry.locator("input[name='subject']").fill("Deepsek")
    entry.locator("button[data-run='claims-about']").click()
    message = entry.locator(".message")
    message.wait_for()
    assert "no entity is called 'Deepsek'" in message.inner_text()
    assert "DeepSeek" in message.inner_text()  # with the closest names


def test_editor_starts_with_the_prefixes_and_runs_sparql(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    page.locator(".tabPanel.active .CodeMirror").wait_for()
    start = page.evaluate("window.kgtoolYasgui.getTab().getQuery()")
    for prefix in ("kg", "kgd", "kgv", "rdfs", "skos", "prov"):
        assert f"PREFIX {prefix}:" in start
    page.evaluate(
        "query => { window.kgtoolYasgui.getTab().setQuery(query); }",
        "PREFIX kgd: <https://w3id.org/kgtool/id/>\n"
        "SELECT ?label WHERE { kgd:Nvidia ?p ?label FILTER(LANG(?label) = 'zh-hant') }",
    )
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(f"{RESULTS} tbody tr").first.wait_for()
    assert "英偉達" in page.locator(RESULTS).inner_text()
    _clean(page, server)


def test_search_box_finds_names_in_either_script(page: Any, server: Server) -> None:
    page.goto(server.url + "/id/DeepSeek")
    # a whole name, in Simplified characters (the article's own are Traditional): its page
    page.locator("#find").fill("白宫")
    page.locator("#find").press("Enter")
    page.wait_for_url("**/id/WhiteHouse")
    assert page.locator("h1").inner_text() == "White House"
    # part of a name, in Traditional: the entities it could be, each with the name it matched
    # by, written as it was typed
    page.locator("#find").fill("科技政策辦公")
    page.locator("#find").press("Enter")
    page.wait_for_url("**/search?q=*")
    found = page.locator(".found").inner_text()
    assert "White House Office of Science and Technology Policy" in found
    assert "白宮科技政策辦公室" in found
    page.screenshot(path=str(SHOTS / "kgtool-search.png"))
    page.get_by_role(
        "link", name="White House Office of Science and Technology Policy", exact=True
    ).click()
    page.wait_for_url("**/id/OSTP")
    _clean(page, server)


@pytest.mark.parametrize("name", ["深度求索", "deepseek ai", "kgd:DeepSeek"])
def test_a_name_after_id_leads_to_the_entity(page: Any, server: Server, name: str) -> None:
    page.goto(server.url + "/id/" + quote(name))
    page.wait_for_url("**/id/DeepSeek")
    assert page.locator("h1").inner_text() == "DeepSeek"


def test_an_unknown_name_after_id_suggests_entities(page: Any, server: Server) -> None:
    response = page.goto(server.url + "/id/Deepsek")
    assert response.status == 404
    assert "Not in the graph" in page.locator("h1").inner_text()
    page.locator(".found").get_by_role("link", name="DeepSeek", exact=True).click()
    page.wait_for_url("**/id/DeepSeek")


def test_entity_page_from_a_result_link(page: Any, server: Server) -> None:
    _run_named(page, server, "claims-by", claimant="Joshua Kushner")
    link = page.locator(f"{RESULTS} a[href='/id/claim-kushner-chips']").first
    link.click()
    page.wait_for_url("**/id/claim-kushner-chips")
    page.goto(server.url + "/id/DeepSeek")
    assert page.locator("h1").inner_text() == "DeepSeek"
    assert "Export controls on high-end chips to China" in page.locator(".measures").inner_text()
    page.screenshot(path=str(SHOTS / "kgtool-entity-page.png"))
    page.get_by_role("link", name="Liang Wenfeng").first.click()
    page.wait_for_url("**/id/LiangWenfeng")
    assert page.locator("h1").inner_text() == "Liang Wenfeng"
    assert page.locator(".zh").inner_text() == "梁文鋒"
    _clean(page, server)


def test_kept_tabs_ask_this_server(page: Any, server: Server) -> None:
    """YASGUI keeps tabs between visits; one made when the server ran on another port must
    ask the server that serves the page now."""
    page.goto(server.url + "/")
    page.locator(".tabPanel.active .CodeMirror").wait_for()
    page.evaluate(
        "() => { window.kgtoolYasgui.getTab().setEndpoint('http://127.0.0.1:9/sparql'); }"
    )
    page.wait_for_timeout(300)  # YASGUI writes its storage on change
    page.reload()
    page.locator(".tabPanel.active .CodeMirror").wait_for()
    assert page.evaluate("window.kgtoolYasgui.getTab().getEndpoint()") == server.url + "/sparql"
