// kgtool query page: the named queries from /queries, the SPARQL editor, and a results table.
// Plain DOM, no library and nothing fetched from elsewhere: the page works offline.
"use strict";

(function () {
  const PREFIXES = JSON.parse(document.getElementById("prefixes").textContent);
  const DATA_NS = PREFIXES.kgd;
  const NUMERIC = /#(integer|decimal|double|float|int|long|short|byte|nonNegativeInteger|positiveInteger)$/;
  const RESULTS_JSON = "application/sparql-results+json";
  const ACCEPT = RESULTS_JSON + ", text/turtle;q=0.9";

  const editor = document.getElementById("editor");
  const textarea = document.getElementById("query");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const source = document.getElementById("source");
  const downloads = document.getElementById("downloads");
  const csvLink = document.getElementById("download-csv");
  const jsonLink = document.getElementById("download-json");

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child !== undefined && child !== null) {
        node.append(child instanceof Node ? child : String(child));
      }
    }
    return node;
  }

  function compact(iri) {
    for (const [prefix, namespace] of Object.entries(PREFIXES)) {
      if (iri.startsWith(namespace)) {
        const local = iri.slice(namespace.length);
        if (/^[\w.-]+$/.test(local)) return prefix + ":" + local;
      }
    }
    return "<" + iri + ">";
  }

  function iriNode(iri, text) {
    const shown = text === undefined ? compact(iri) : text;
    if (iri.startsWith(DATA_NS) && iri.length > DATA_NS.length) {
      return element("a", { href: "/id/" + iri.slice(DATA_NS.length), title: iri }, shown);
    }
    return element("span", { class: text === undefined ? "iri" : null, title: iri }, shown);
  }

  function termNode(term) {
    if (!term) return "";
    if (term.type === "uri") return iriNode(term.value);
    if (term.type === "bnode") return "_:" + term.value;
    return element("span", { lang: term["xml:lang"] || null }, term.value);
  }

  function setStatus(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function showError(code, message) {
    results.replaceChildren(element("div", { class: "error" }, "HTTP " + code + "\n" + message));
  }

  // A column `x` whose label is in `xLabel` shows the label, linked to the IRI.
  function renderTable(document_) {
    const variables = document_.head.vars;
    const labelled = new Set(variables.filter((v) => variables.includes(v + "Label")));
    const shown = variables.filter((v) => !(v.endsWith("Label") && labelled.has(v.slice(0, -5))));
    const head = element("tr", {}, ...shown.map((v) => element("th", { scope: "col" }, v)));
    const body = element("tbody");
    for (const binding of document_.results.bindings) {
      const row = element("tr");
      for (const name of shown) {
        const term = binding[name];
        const label = labelled.has(name) ? binding[name + "Label"] : undefined;
        const numeric = term && term.type === "literal" && NUMERIC.test(term.datatype || "");
        let content;
        if (term && term.type === "uri" && label) content = iriNode(term.value, label.value);
        else content = termNode(term || label);
        const length = ((label || term || {}).value || "").length;
        const width = numeric ? "number" : length > 60 ? "long" : length > 16 ? "medium" : null;
        row.append(element("td", { class: width }, content));
      }
      body.append(row);
    }
    results.replaceChildren(element("table", { class: "rows" }, element("thead", {}, head), body));
    return document_.results.bindings.length;
  }

  async function run(url, init, label) {
    setStatus("Running " + label + "…");
    downloads.hidden = true;
    const started = performance.now();
    let response;
    try {
      response = await fetch(url, init);
    } catch (error) {
      setStatus("The server did not answer.", true);
      showError("—", String(error));
      return null;
    }
    const elapsed = Math.round(performance.now() - started);
    const text = await response.text();
    if (!response.ok) {
      setStatus(label + " failed (" + response.status + ")", true);
      showError(response.status, text);
      return null;
    }
    const type = (response.headers.get("content-type") || "").split(";")[0];
    if (type === RESULTS_JSON) {
      const parsed = JSON.parse(text);
      if (typeof parsed.boolean === "boolean") {
        results.replaceChildren(element("p", { class: "boolean" }, String(parsed.boolean)));
        setStatus("ASK answered in " + elapsed + " ms");
        return "ask";
      }
      const count = renderTable(parsed);
      setStatus(count + (count === 1 ? " row" : " rows") + " · " + elapsed + " ms");
      return "select";
    }
    results.replaceChildren(element("pre", {}, text));
    setStatus("Graph in " + type + " · " + elapsed + " ms");
    return "graph";
  }

  function offerDownloads(csv, json) {
    csvLink.href = csv;
    jsonLink.href = json;
    downloads.hidden = false;
  }

  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = textarea.value;
    const kind = await run(
      "/sparql",
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
        body: new URLSearchParams({ query }),
      },
      "the query",
    );
    if (kind === "select") {
      const base = "/sparql?" + new URLSearchParams({ query });
      offerDownloads(base + "&format=csv", base + "&format=json");
    }
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      editor.requestSubmit();
    }
  });

  function select(item) {
    for (const other of document.querySelectorAll("#catalog > li")) {
      other.classList.toggle("selected", other === item);
    }
  }

  function catalogEntry(query) {
    const item = element("li", { "data-name": query.name });
    item.append(element("h3", {}, query.title || query.name));
    if (query.questions.en) item.append(element("p", { class: "question" }, query.questions.en));
    const zh = query.questions["zh-hant"];
    if (zh) item.append(element("p", { class: "question", lang: "zh-Hant" }, zh));
    const inputs = {};
    for (const param of query.params) {
      const id = "param-" + query.name + "-" + param.name;
      const input = element("input", {
        id,
        name: param.name,
        value: param.default || "",
        placeholder: param.kind,
        title: param.doc,
        spellcheck: "false",
      });
      inputs[param.name] = input;
      item.append(element("div", { class: "param" }, element("label", { for: id }, param.name), input));
    }
    const runButton = element("button", { type: "button", "data-run": query.name }, "Run");
    const showButton = element("button", { type: "button", class: "secondary" }, "Show SPARQL");
    item.append(element("div", { class: "buttons" }, runButton, showButton));

    runButton.addEventListener("click", async () => {
      select(item);
      const params = new URLSearchParams();
      for (const [name, input] of Object.entries(inputs)) {
        if (input.value.trim()) params.set(name, input.value.trim());
      }
      const url = query.url + (params.toString() ? "?" + params : "");
      const given = [...params].map(([name, value]) => name + " = " + value).join(", ");
      source.textContent = "named query " + query.name + (given ? " (" + given + ")" : "");
      const kind = await run(url, { headers: { Accept: ACCEPT } }, query.name);
      if (kind === "select") {
        const joiner = params.toString() ? "&" : "?";
        offerDownloads(url + joiner + "format=csv", url + joiner + "format=json");
      }
    });
    showButton.addEventListener("click", () => {
      select(item);
      textarea.value = query.sparql;
      source.textContent = "from " + query.name + ".rq (parameters at their defaults)";
      textarea.focus();
    });
    return item;
  }

  async function loadCatalog() {
    const list = document.getElementById("catalog");
    try {
      const response = await fetch("/queries", { headers: { Accept: "application/json" } });
      const queries = await response.json();
      list.replaceChildren(...queries.map(catalogEntry));
    } catch (error) {
      list.replaceChildren(element("li", { class: "error" }, "Could not load the named queries."));
    }
  }

  loadCatalog();
})();
