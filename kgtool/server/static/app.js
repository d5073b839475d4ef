// kgtool query page: YASGUI (bundled in /static/yasgui/) on this server's /sparql, with the
// project's prefixes, and the named research queries from /queries, each opened in a tab of
// its own with its parameters bound by the server (names in either Chinese script resolve).
// Nothing is fetched from elsewhere: the page works offline.
"use strict";

(function () {
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const PREFIXES = settings.prefixes;
  const DATA_NS = PREFIXES.kgd;
  const ENDPOINT = window.location.origin + "/sparql";
  // Results as a person reads them: whole values (no ellipsis), 50 rows a page.
  const TABLE = { isEllipsed: false, compact: true, pageSize: 50 };

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

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: ENDPOINT, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: ENDPOINT }] },
    persistenceId: "kgtool-query-page",
    yasqe: { value: settings.query, prefixCcApi: null, editorHeight: "260px" },
    yasr: { prefixes: PREFIXES, defaultPlugin: "table", pluginOrder: ["table", "response"] },
  });

  // Each column as wide as its longest value needs to be read in a few lines: a column of
  // sentences gets room, a column of codes does not; the table scrolls sideways instead of
  // squeezing every column (the header cells keep the widths across the table's pages).
  function columnWidths(yasr) {
    const results = yasr.results;
    if (!results || !results.getVariables) return;
    const variables = results.getVariables();
    const longest = variables.map((name) =>
      Math.max(0, ...results.getBindings().map((row) => (row[name] ? row[name].value.length : 0))),
    );
    const headers = yasr.resultsEl.querySelectorAll("table.dataTable thead th");
    const offset = headers.length - variables.length; // the row-number column
    longest.forEach((length, index) => {
      const header = headers[index + offset];
      if (!header) return;
      header.style.minWidth = length > 80 ? "32ch" : length > 30 ? "18ch" : length > 12 ? "10ch" : "";
    });
  }

  // The graph's IRIs open their page on this server, in the same window.
  function localLinks(yasr) {
    for (const link of yasr.resultsEl.querySelectorAll("a[href]")) {
      const href = link.getAttribute("href");
      if (href.startsWith(DATA_NS) && href.length > DATA_NS.length) {
        link.setAttribute("href", "/id/" + href.slice(DATA_NS.length));
        link.removeAttribute("target");
        link.setAttribute("title", href);
      }
    }
  }

  function prepare(tab) {
    if (!tab) return;
    // Tabs are kept between visits (the browser's storage): they must ask this server, on
    // whatever port it runs now, not the one it ran on when the tab was made.
    if (tab.getEndpoint() !== ENDPOINT) tab.setEndpoint(ENDPOINT);
    const yasr = tab.getYasr();
    if (!yasr) return;
    const stored = (yasr.getPersistentConfig().pluginsConfig || {}).table;
    if (!stored || stored.isEllipsed !== false) yasr.storePluginConfig("table", { ...stored, ...TABLE });
    if (!yasr.kgtoolLinks) {
      yasr.on("drawn", () => {
        columnWidths(yasr);
        localLinks(yasr);
      });
      yasr.kgtoolLinks = true;
    }
  }

  for (const id of Object.keys(yasgui._tabs)) prepare(yasgui.getTab(id));
  yasgui.on("tabAdd", (instance, id) => prepare(instance.getTab(id)));
  yasgui.on("tabSelect", (instance, id) => prepare(instance.getTab(id)));

  async function openNamed(query, inputs, message) {
    const params = new URLSearchParams();
    for (const [name, input] of Object.entries(inputs)) {
      if (input.value.trim()) params.set(name, input.value.trim());
    }
    message.textContent = "";
    let response;
    try {
      response = await fetch("/queries/" + encodeURIComponent(query.name) + ".rq?" + params);
    } catch (error) {
      message.textContent = "The server did not answer.";
      return;
    }
    const text = await response.text();
    if (!response.ok) {
      message.textContent = text.trim();
      return;
    }
    let tab = yasgui.tabNameTaken(query.name);
    if (tab) {
      yasgui.selectTabId(tab.getId());
      tab.setQuery(text);
    } else {
      tab = yasgui.addTab(true, { name: query.name, yasqe: { value: text } });
    }
    prepare(tab);
    tab.getYasqe().query();
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
      item.append(
        element("div", { class: "param" }, element("label", { for: id, title: param.doc }, param.name), input),
      );
    }
    const message = element("p", { class: "message", role: "status" });
    const runButton = element("button", { type: "button", "data-run": query.name }, "Open and run");
    item.append(element("div", { class: "buttons" }, runButton), message);
    runButton.addEventListener("click", () => openNamed(query, inputs, message));
    for (const input of Object.values(inputs)) {
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") runButton.click();
      });
    }
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

  window.kgtoolYasgui = yasgui;
  loadCatalog();
})();
