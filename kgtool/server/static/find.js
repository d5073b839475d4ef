// The header's entity search: names that match what is typed, in either Chinese script, as
// suggestions (from /search?format=json); choosing one, or pressing Enter, opens its page.
"use strict";

(function () {
  const input = document.getElementById("find");
  const list = document.getElementById("find-suggestions");
  if (!input || !list) return;
  let pages = new Map();
  let asked = "";

  input.addEventListener("input", async () => {
    const text = input.value.trim();
    const page = pages.get(input.value);
    if (page) {
      window.location.assign(page);
      return;
    }
    if (!text || text === asked) return;
    asked = text;
    try {
      const response = await fetch("/search?format=json&q=" + encodeURIComponent(text));
      if (!response.ok || asked !== text) return;
      const found = await response.json();
      pages = new Map(found.map((hit) => [hit.label, hit.path]));
      list.replaceChildren(
        ...found.map((hit) => {
          const option = document.createElement("option");
          option.value = hit.label;
          if (hit.matched !== hit.label) option.label = hit.matched;
          return option;
        }),
      );
    } catch (error) {
      // the form still submits to /search without suggestions
    }
  });
})();
