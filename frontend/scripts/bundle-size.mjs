// Prints what each page of the storefront costs to load (JavaScript, gzipped), from
// Vite's manifest, and fails when the home page's first load is over its budget.
//   node scripts/bundle-size.mjs [--json out.json]
import { readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join } from "node:path";

const BUDGET_BYTES = 150 * 1024; // the home page's first load, gzipped
const dist = new URL("../dist/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));

const gzipped = new Map();
function size(file) {
  if (!gzipped.has(file)) gzipped.set(file, gzipSync(readFileSync(join(dist, file)), { level: 9 }).length);
  return gzipped.get(file);
}

/** The JS files a chunk loads before it runs: itself and its static imports, transitively. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(chunk.file)) return seen;
  seen.add(chunk.file);
  for (const imported of chunk.imports ?? []) closure(imported, seen);
  return seen;
}

// The storefront's entry (the dashboard's box office and charts are entries of their own).
const entryKey = "src/main.tsx";
const entryFiles = closure(entryKey);
const entryCss = manifest[entryKey].css ?? [];
const sum = (files) => [...files].reduce((total, file) => total + size(file), 0);
const homeJs = sum(entryFiles);
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const pages = Object.entries(manifest)
  .filter(([, chunk]) => chunk.isDynamicEntry)
  .map(([key, chunk]) => {
    const files = closure(key);
    for (const file of entryFiles) files.delete(file);
    return { page: chunk.name ?? key, extra: sum(files) };
  })
  .sort((a, b) => b.extra - a.extra);

console.log(`Home page, first load: ${kb(homeJs)} of JavaScript gzipped (budget ${kb(BUDGET_BYTES)}), ${kb(sum(entryCss))} of CSS`);
for (const { page, extra } of pages) console.log(`  + ${page.padEnd(22)} ${kb(extra)} more when first opened`);

const jsonAt = process.argv.indexOf("--json");
if (jsonAt > 0) {
  writeFileSync(
    process.argv[jsonAt + 1],
    JSON.stringify({ home_js_gzip: homeJs, home_css_gzip: sum(entryCss), budget: BUDGET_BYTES, pages }, null, 2),
  );
}
if (homeJs > BUDGET_BYTES) {
  console.error(`The home page's JavaScript is ${kb(homeJs - BUDGET_BYTES)} over its budget.`);
  process.exit(1);
}
