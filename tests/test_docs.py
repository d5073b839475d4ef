"""The HTML reference and the pictures: written, well-formed, complete, one language a page.

The language rule the pages keep, checked on every text node of both pages:

* A page in language L shows no text that the graph gives only in another language: no text
  node equals a language-tagged literal of another language, unless the same text is also a
  literal in L or untagged (names such as "DeepSeek" are the same in both). Code is not text
  of a language: identifiers (query, variable and parameter names) and the keywords queries
  compute ("article", "background") are in <code> elements, and left out.
* On the English page, Chinese characters appear only inside elements marked lang="zh-Hant"
  (quotations of the article, the link to the Chinese page), or inside English text of the
  graph that itself quotes Chinese words (a skos:example such as "一些分析人士 (some analysts).").

Pictures need Graphviz's `dot`; their tests are skipped, saying so, where it is missing
(CI installs the Debian packages graphviz and fonts-noto-cjk).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, Run

from kgtool import KgtoolError, KnowledgeGraph, Literal, draw
from kgtool.catalog import NamedQuery
from kgtool.docs.site import write_site

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz is not installed (apt-get install graphviz fonts-noto-cjk)",
)

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
VOID = {"meta", "br", "img", "link", "input", "hr", "wbr", "source", "col", "area"}
SVG = "{http://www.w3.org/2000/svg}"
KG = "https://w3id.org/kgtool/def#"


class Page(HTMLParser):
    """An HTML page read into its text nodes (with the language they are in), ids, links and
    nesting errors."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.texts: list[tuple[str, str | None, tuple[str, ...]]] = []
        self.tags: dict[str, int] = defaultdict(int)
        self.html_lang: str | None = None
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {[tag for tag, _ in self.stack]}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags[tag] += 1
        if tag == "html":
            self.html_lang = found.get("lang")
        if found.get("id"):
            self.ids.append(found["id"])
        if tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
        if tag not in VOID:
            lang = found.get("lang") or (self.stack[-1][1] if self.stack else None)
            self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1][0] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not any(tag in ("style", "script") for tag, _ in self.stack):
            lang = self.stack[-1][1] if self.stack else None
            self.texts.append((text, lang, tuple(tag for tag, _ in self.stack)))


@pytest.fixture(scope="module")
def site(shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    written = write_site(shipped_kg, folder)
    assert {path.name for path in written} >= {"index.en.html", "index.zh-Hant.html"}
    return folder


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    return {lang: Page((site / f"index.{lang}.html").read_text("utf-8")) for lang in LANGS}


LANGS = ("en", "zh-Hant")


@pytest.fixture(scope="module")
def tagged(shipped_kg: KnowledgeGraph) -> dict[str, set[str]]:
    """Every language-tagged text of the graph, by language; untagged ones under ""."""
    result = shipped_kg.query(
        NamedQuery.text("SELECT DISTINCT ?text WHERE { ?s ?p ?text FILTER(isLiteral(?text)) }")
    )
    found: dict[str, set[str]] = defaultdict(set)
    for row in result:
        text = row["text"]
        if isinstance(text, Literal):
            found[text.lang or ""].add(" ".join(text.lexical.split()))
    assert found["en"] and found["zh-hant"], "the graph has labels in both languages"
    return found


def kg_classes(kg: KnowledgeGraph) -> list[str]:
    rows = kg.query(
        NamedQuery.text(
            "PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
            f"SELECT ?class WHERE {{ ?class a owl:Class FILTER(STRSTARTS(STR(?class), '{KG}')) }}"
        )
    )
    classes = [str(row["class"]) for row in rows]
    assert len(classes) > 40, "the ontology's classes are found"
    return classes


# ----------------------------------------------------------------------------------------------
# The pages


@pytest.mark.parametrize("lang", LANGS)
def test_page_is_well_formed_html_in_its_language(pages: dict[str, Page], lang: str) -> None:
    page = pages[lang]
    assert page.errors == []
    assert page.html_lang == lang
    assert page.tags["h1"] == 1 and page.tags["title"] == 1
    assert len(page.ids) == len(set(page.ids)), "ids are unique"
    for section in ("overview", "classes", "object_properties", "queries", "sources"):
        assert section in page.ids
    missing = {link for link in page.links if link.startswith("#") and link[1:] not in page.ids}
    assert missing == set(), "every link inside the page has a target"


@pytest.mark.parametrize("lang", LANGS)
def test_every_class_of_the_ontology_is_in_the_reference(
    shipped_kg: KnowledgeGraph, pages: dict[str, Page], lang: str
) -> None:
    page = pages[lang]
    texts = {text for text, _, _ in page.texts}
    for iri in kg_classes(shipped_kg):
        local = iri.removeprefix(KG)
        assert local in page.ids, f"kg:{local} has an entry"
        label = shipped_kg.labels.labels[iri][lang.lower()][0]
        assert label in texts, f"kg:{local} is called {label!r} on the {lang} page"


def test_english_page_names_terms_in_english(pages: dict[str, Page]) -> None:
    texts = {text for text, _, _ in pages["en"].texts}
    assert "policy measure" in texts
    assert "A specific action a government body takes" in " ".join(texts)
    assert "政策措施" not in texts


def test_chinese_page_names_terms_in_chinese(pages: dict[str, Page]) -> None:
    texts = {text for text, _, _ in pages["zh-Hant"].texts}
    assert {"政策措施", "主張", "研究查詢"} <= texts
    assert "policy measure" not in texts
    # every term is defined in Chinese too, so the Chinese page shows the Chinese definitions
    # and no longer sends the reader to the English page for them
    assert any(
        text.startswith("某個行為者聲稱是如此、將會如此或應當如此的內容。") for text in texts
    )
    assert "本體的定義目前只有英文版本;英文頁面列出每個術語的定義。" not in texts


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_of_another_language(
    pages: dict[str, Page], tagged: dict[str, set[str]], lang: str
) -> None:
    own = tagged[lang.lower()] | tagged[""]
    foreign = set().union(
        *(texts for key, texts in tagged.items() if key not in (lang.lower(), ""))
    )
    shown = [
        text for text, _, tags in pages[lang].texts if text in foreign - own and "code" not in tags
    ]
    assert shown == []


def test_chinese_on_the_english_page_is_marked_or_quoted_by_the_graph(
    pages: dict[str, Page], tagged: dict[str, set[str]]
) -> None:
    english = " ".join(tagged["en"])
    unmarked = [
        text
        for text, lang, _ in pages["en"].texts
        if CJK.search(text)
        and not (lang or "").startswith("zh")
        and text.removesuffix("…") not in english  # (long examples are cut)
    ]
    assert unmarked == []
    # the article's sentences are marked as Chinese quotations
    quoted = [tags for text, lang, tags in pages["en"].texts if lang == "zh-Hant"]
    assert quoted and all("q" in tags or "blockquote" in tags or "a" in tags for tags in quoted)


@pytest.mark.parametrize("lang", LANGS)
def test_every_research_query_is_shown_with_its_answer(
    shipped_kg: KnowledgeGraph, site: Path, lang: str
) -> None:
    text = (site / f"index.{lang}.html").read_text("utf-8")
    queries = shipped_kg.queries()
    assert queries
    for query in queries:
        start = text.index(f'id="query-{query.name}"')
        article = text[start : text.index("</article>", start)]
        rows = article[article.index("<tbody>") : article.index("</tbody>")].count("<tr>")
        assert rows == len(shipped_kg.query(query.name).rows), query.name
        assert query.question(lang) in html.unescape(article)


def test_measures_reaching_answer_names_the_measures_in_each_language(
    site: Path,
) -> None:
    english = (site / "index.en.html").read_text("utf-8")
    chinese = (site / "index.zh-Hant.html").read_text("utf-8")
    assert "Export controls on high-end chips to China" in english
    assert "美國對中國的高端芯片出口管制" in chinese


@pytest.mark.parametrize("lang", LANGS)
def test_every_answer_is_in_the_page_language(site: Path, lang: str) -> None:
    """No cell says "see the other page": statements, relations, joined lists and notes are
    all shown in the page's language."""
    from kgtool.docs.common import words

    text = (site / f"index.{lang}.html").read_text(encoding="utf-8")
    assert words(lang)["untranslated"] not in text
    assert 'class="elsewhere"' not in text


@pytest.mark.parametrize("lang", LANGS)
def test_answer_columns_have_headers_in_the_page_language(
    shipped_kg: KnowledgeGraph, site: Path, lang: str
) -> None:
    from kgtool.docs.common import columns

    text = (site / f"index.{lang}.html").read_text(encoding="utf-8")
    headers = re.findall(r'<th title="\?(\w+)">([^<]*)</th>', text)
    assert len(headers) > 50
    named = columns(lang)
    assert all(named.get(variable) == header for variable, header in headers), headers
    if lang == "zh-Hant":
        assert all(CJK.search(header) for _, header in headers)
        assert ("measure", "措施") in headers and ("evidenceStatus", "證據狀態") in headers


def test_words_tables_have_the_same_keys_in_every_language() -> None:
    from kgtool.docs.common import columns, separators, words

    for table in (words, columns, separators):
        assert set(table("en")) == set(table("zh-Hant")), table.__name__


def test_the_chinese_page_translates_statements_lists_and_notes(site: Path) -> None:
    text = (site / "index.zh-Hant.html").read_text(encoding="utf-8")
    # a claim's statement: the article's own words, stated of the same claim in Chinese
    assert "DeepSeek有5萬塊走私的H100,但因為違反了美國出口管制所以不敢對外說" in text
    # a list the query joined: each criterion in Chinese, joined the Chinese way
    assert "運營服務美國用戶的應用 且 位於中國" in text
    # a background note, from the reviewed translations
    assert "與文章不同:文章給出的日期是2025年3月27日。" in text


def test_every_reviewed_translation_is_still_needed(shipped_kg: KnowledgeGraph) -> None:
    """translations.toml is a stopgap: each entry must be an English text of the graph that
    the graph does not already give in Chinese."""
    from kgtool.docs.common import Names, translations

    entries = translations("zh-Hant")
    assert entries
    names = Names(shipped_kg, "zh-Hant")
    english = {text for (lang, text) in names.parallel() if lang == "en"}
    graph = shipped_kg.query(
        NamedQuery.text('SELECT DISTINCT ?t WHERE { ?s ?p ?t FILTER(LANG(?t) = "en") }')
    )
    texts = {str(row["t"]) for row in graph}
    for source in entries:
        assert source in texts, f"no longer in the graph: {source!r}"
        assert source not in english, f"the graph now translates it: {source!r}"


def test_sources_and_provenance(site: Path) -> None:
    english = Page((site / "index.en.html").read_text("utf-8"))
    texts = " ".join(text for text, _, _ in english.texts)
    assert "The US reaction to DeepSeek (NetEase Hao commentary, January 2025)" in texts
    assert "Where the segment starts in the source text" in texts  # kg:startOffset, from the graph
    assert "Nasdaq market data" in texts  # a background record
    assert re.search(r"Characters \d+–\d+", texts), "a quoted fact with its offsets"


def test_unknown_language_is_an_error(shipped_kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(KgtoolError, match=r"'fr'.*en, zh-Hant"):
        write_site(shipped_kg, tmp_path, langs=["fr"], pictures=False)


@needs_dot
@pytest.mark.parametrize("lang", LANGS)
def test_page_shows_its_own_ontology_picture(site: Path, lang: str) -> None:
    picture = site / f"ontology.{lang}.svg"
    assert f'src="ontology.{lang}.svg"' in (site / f"index.{lang}.html").read_text("utf-8")
    text = " ".join(node_texts(picture))
    assert ("policy measure" in text) == (lang == "en")
    assert ("政策措施" in text) == (lang == "zh-Hant")


# ----------------------------------------------------------------------------------------------
# The pictures


def node_texts(svg: Path) -> list[str]:
    """The text of each node of a Graphviz SVG, its lines joined by spaces; parsing it checks
    the SVG is well-formed XML."""
    root = ET.parse(svg).getroot()
    assert root.tag == f"{SVG}svg"
    texts = []
    for group in root.iter(f"{SVG}g"):
        if group.get("class") in ("node", "cluster"):
            texts.append(" ".join(t.text or "" for t in group.iter(f"{SVG}text")))
    assert texts, f"{svg} has nodes"
    return texts


def edge_styles(svg: Path) -> list[str]:
    root = ET.parse(svg).getroot()
    return [
        path.get("stroke-dasharray") or "solid"
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "edge"
        for path in group.iter(f"{SVG}path")
    ]


@pytest.fixture(scope="module")
def deepseek(shipped_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz is not installed (apt-get install graphviz fonts-noto-cjk)")
    out = tmp_path_factory.mktemp("draw") / "deepseek.svg"
    return draw.render(draw.neighbourhood(shipped_kg, "深度求索"), out)


def test_deepseek_picture_names_it_and_its_measures_in_both_languages(deepseek: Path) -> None:
    texts = node_texts(deepseek)
    center = next(text for text in texts if text.startswith("DeepSeek "))
    assert "深度求索" in center  # the Chinese alias beside the name
    joined = " | ".join(texts)
    assert "Export controls on high-end chips to China" in joined
    assert "美國對中國的高端芯片出口管制" in joined
    assert "Measures that could reach DeepSeek" in joined and "可能觸及 DeepSeek 的措施" in joined
    assert "based in China" in joined  # the criterion through which measures reach it
    assert "Wang: DeepSeek has 50,000 smuggled H100s" in joined  # a claim about it
    assert "Legend" in joined and "claim 主張" in joined  # the kinds named by their labels


def test_deepseek_picture_tells_claims_from_facts(deepseek: Path) -> None:
    styles = edge_styles(deepseek)
    assert "solid" in styles and any(style != "solid" for style in styles)
    legend = " ".join(node_texts(deepseek))
    assert "fact stated in a source" in legend and "claimed, not asserted" in legend


@needs_dot
def test_timeline_picture_keeps_article_and_record_dates_apart(
    shipped_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    svg = draw.render(draw.timeline(shipped_kg), tmp_path / "timeline.svg")
    joined = " | ".join(node_texts(svg))
    assert "1977-10-28" in joined and "International Emergency Economic Powers Act" in joined
    assert "2025-04-08" in joined and "2025-03-27" in joined  # the record's and the article's
    assert "date a source gives" in joined and "公開記錄中的日期" in joined


@needs_dot
def test_ontology_picture_shows_every_class(shipped_kg: KnowledgeGraph, tmp_path: Path) -> None:
    svg = draw.render(draw.ontology(shipped_kg, langs=["en"]), tmp_path / "ontology.svg")
    joined = " | ".join(node_texts(svg))
    for iri in kg_classes(shipped_kg):
        assert shipped_kg.labels.labels[iri]["en"][0] in joined


@needs_dot
def test_png_is_drawn_with_chinese_fonts(shipped_kg: KnowledgeGraph, tmp_path: Path) -> None:
    png = draw.render(draw.neighbourhood(shipped_kg, "Liang Wenfeng"), tmp_path / "liang.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fonts = subprocess.run(["fc-list", ":lang=zh-tw", "family"], capture_output=True, text=True)
    assert "Noto Sans CJK TC" in fonts.stdout, "fonts-noto-cjk gives the pictures Chinese glyphs"


def test_picture_of_an_unknown_entity_names_the_closest(shipped_kg: KnowledgeGraph) -> None:
    with pytest.raises(KgtoolError, match=r"no entity is called 'DeepSek'.*DeepSeek"):
        draw.neighbourhood(shipped_kg, "DeepSek")


def test_dot_text_needs_no_graphviz(shipped_kg: KnowledgeGraph, tmp_path: Path) -> None:
    out = draw.render(draw.neighbourhood(shipped_kg, "DeepSeek", depth=0), tmp_path / "d.dot")
    assert out.read_text("utf-8").startswith("digraph kgtool {")


# ----------------------------------------------------------------------------------------------
# The commands


@needs_dot
def test_draw_command_writes_the_file(kgtool: Run, tmp_path: Path) -> None:
    done = kgtool("draw", "DeepSeek", "--depth", "2", "--out", str(tmp_path / "d.svg"))
    assert done.stdout.strip() == str(tmp_path / "d.svg")
    assert any("DeepSeek" in text for text in node_texts(tmp_path / "d.svg"))


def test_draw_command_needs_one_subject(kgtool: Run) -> None:
    done = kgtool("draw", check=2)
    assert "give an entity to draw, or --timeline, or --ontology" in done.stderr


def test_draw_without_graphviz_says_what_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from kgtool.cli import main; sys.exit(main())"],
        input="",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2  # no arguments: usage first
    script = "import sys; from kgtool.cli import main; sys.exit(main(['draw', '--ontology']))"
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 4
    assert "apt-get install graphviz fonts-noto-cjk" in done.stderr


def test_docs_command_writes_both_pages(kgtool: Run, tmp_path: Path) -> None:
    done = kgtool("docs", "--out", str(tmp_path), "--no-pictures")
    written = done.stdout.split()
    assert written == [str(tmp_path / "index.en.html"), str(tmp_path / "index.zh-Hant.html")]
