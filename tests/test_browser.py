"""The query page in a real headless Chromium (Debian's `chromium`, driven by Playwright).

The page must work with no internet: every request it makes goes to the server itself. The
screenshots land in /tmp (kgtool-query-page.png, kgtool-entity-page.png) for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
    """A fresh page that records every URL it asks for (to prove nothing leaves the server)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    opened = context.new_page()
    opened.requested = []
    opened.errors = []
    opened.on("request", lambda request: opened.requested.append(request.url))
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


def _offline(page: Any, server: Server) -> None:
    elsewhere = [url for url in page.requested if not url.startswith(server.url + "/")]
    assert not elsewhere, f"the page fetched from elsewhere: {elsewhere}"
    assert not page.errors, page.errors


def test_measures_reaching_deepseek_in_the_table(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    entry = page.locator("#catalog li[data-name='measures-reaching']")
    entry.wait_for()
    assert "哪些措施" in entry.inner_text()  # the Chinese question is on the page
    entry.locator("input[name='target']").fill("DeepSeek")
    entry.locator("button[data-run='measures-reaching']").click()
    page.locator("table.rows tbody tr").first.wait_for()
    table = page.locator("table.rows").inner_text()
    assert "Export controls on high-end chips to China" in table
    assert "DeepSeek headquartered in China" in table
    assert "這家專注于模型研發、對外低調的公司" in table  # the article's quotes, in Chinese
    assert "rows" in page.locator("#status").inner_text()
    csv_link = page.locator("#download-csv").get_attribute("href")
    assert (
        csv_link.startswith("/queries/measures-reaching?target=DeepSeek")
        and "format=csv" in csv_link
    )
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "kgtool-query-page.png"))
    _offline(page, server)


def test_downloads_are_csv_and_json(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    page.locator("#run").click()
    page.locator("table.rows tbody tr").first.wait_for()
    for link, expected in (("#download-csv", "company,label"), ("#download-json", '{"head"')):
        with page.expect_download() as download:
            page.locator(link).click()
        saved = Path(download.value.path())
        assert saved.read_text(encoding="utf-8").startswith(expected)


def test_editor_runs_sparql_and_shows_errors(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    editor = page.locator("#query")
    assert "PREFIX kgd: <https://w3id.org/kgtool/id/>" in editor.input_value()
    editor.fill(
        "PREFIX kgd: <https://w3id.org/kgtool/id/>\n"
        "SELECT ?label WHERE { kgd:Nvidia ?p ?label FILTER(LANG(?label) = 'zh-hant') }"
    )
    page.locator("#run").click()
    page.locator("table.rows tbody tr").first.wait_for()
    assert "英偉達" in page.locator("table.rows").inner_text()
    editor.fill("SELECT * WHERE {")
    page.locator("#run").click()
    page.locator(".results .error").wait_for()
    assert "malformed query" in page.locator(".results .error").inner_text()
    assert "400" in page.locator("#status").inner_text()
    _offline(page, server)


def test_show_sparql_loads_the_named_query(page: Any, server: Server) -> None:
    page.goto(server.url + "/")
    entry = page.locator("#catalog li[data-name='claims-about']")
    entry.wait_for()
    entry.get_by_role("button", name="Show SPARQL").click()
    assert "kg:claimant" in page.locator("#query").input_value()


def test_entity_page_from_a_result_link(page: Any, server: Server) -> None:
    page.goto(server.url + "/id/DeepSeek")
    assert page.locator("h1").inner_text() == "DeepSeek"
    assert "Export controls on high-end chips to China" in page.locator(".measures").inner_text()
    page.screenshot(path=str(SHOTS / "kgtool-entity-page.png"))
    page.get_by_role("link", name="Liang Wenfeng").first.click()
    page.wait_for_url("**/id/LiangWenfeng")
    assert page.locator("h1").inner_text() == "Liang Wenfeng"
    assert page.locator(".zh").inner_text() == "梁文鋒"
    _offline(page, server)
