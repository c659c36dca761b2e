// Bundled in place of the `whatwg-url` package (infra/bundle.ts aliases it here). Its only importer
// in our dependency tree is node-fetch 2 (telegraf's HTTP client), which uses it as a fallback for
// Node versions without a built-in URL: `const URL = Url.URL || whatwgUrl.URL` (node:url's URL wins
// on every Node the project runs on). Bundling the real package meant shipping tr46's 260 KB
// mapping table and parsing it on every cold start for code that never runs.

export default { URL, URLSearchParams };
