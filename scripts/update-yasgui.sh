#!/usr/bin/env bash
# Refreshes the query editor bundled in kgtool/server/static/yasgui/ from the npm registry:
# YASGUI (@zazuko/yasgui) at the version pinned below, its built files as published, and the
# licence of every package inside the bundle (LICENSES.txt). Needs Node.js and npm; run it
# from anywhere, then commit the folder. To move to another version, change VERSION and
# check the query page (tests/test_browser.py) before committing.
set -euo pipefail
VERSION="4.6.2"
cd "$(dirname "$0")/.."
target="kgtool/server/static/yasgui"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
    "@zazuko/yasgui@$VERSION" >/dev/null)
build="$work/node_modules/@zazuko/yasgui/build"
mkdir -p "$target"
cp "$build/yasgui.min.js" "$build/yasgui.min.css" "$target/"
# The bundle references a source map that is not shipped: drop the reference, so browsers ask
# for nothing that is not there.
sed -i '/^\/\/# sourceMappingURL=/d' "$target/yasgui.min.js"
sed -i 's#/\*\# sourceMappingURL=[^*]*\*/##' "$target/yasgui.min.css"

node - "$work" "$VERSION" > "$target/LICENSES.txt" <<'JS'
// One section per package in @zazuko/yasgui's dependency tree: name, version, licence, and
// the licence text the package ships (the npm package of YASGUI itself ships none: its
// package.json says MIT, author Triply, contributors Zazuko).
const fs = require("fs");
const path = require("path");
const [work, version] = process.argv.slice(2);
const root = path.join(work, "node_modules");
const seen = new Map();
function visit(name, from) {
  let dir = from;
  let found = null;
  while (true) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) { found = candidate; break; }
    if (dir === work) break;
    dir = path.dirname(dir);
  }
  if (!found || seen.has(found)) return;
  const meta = JSON.parse(fs.readFileSync(path.join(found, "package.json"), "utf8"));
  seen.set(found, meta);
  for (const dep of Object.keys(meta.dependencies || {})) visit(dep, found);
}
visit("@zazuko/yasgui", work);
const out = [
  `kgtool ships the built files of @zazuko/yasgui ${version} (yasgui.min.js, yasgui.min.css),`,
  "taken unchanged from the npm registry but for the source-map reference. They bundle the",
  "packages below; each is listed with its licence and the licence text it ships.",
  "",
  "@zazuko/yasgui is MIT-licensed (package.json: \"license\": \"MIT\", author Triply",
  "<info@triply.cc>, contributors Zazuko GmbH). The MIT licence:",
  "",
  "Permission is hereby granted, free of charge, to any person obtaining a copy of this software",
  "and associated documentation files (the \"Software\"), to deal in the Software without",
  "restriction, including without limitation the rights to use, copy, modify, merge, publish,",
  "distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the",
  "Software is furnished to do so, subject to the following conditions:",
  "",
  "The above copyright notice and this permission notice shall be included in all copies or",
  "substantial portions of the Software.",
  "",
  "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,",
  "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR",
  "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR",
  "ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE,",
  "ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE",
  "SOFTWARE.",
  "",
];
const entries = [...seen.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name));
for (const [dir, meta] of entries) {
  const licence = typeof meta.license === "string" ? meta.license : JSON.stringify(meta.license || meta.licenses);
  out.push("=".repeat(80), `${meta.name} ${meta.version} — ${licence}`, "=".repeat(80));
  const file = fs.readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  out.push(file ? fs.readFileSync(path.join(dir, file), "utf8").trim() : "(the package ships no licence file)", "");
}
process.stdout.write(out.join("\n") + "\n");
JS
echo "$VERSION" > "$target/VERSION"
ls -l "$target"
