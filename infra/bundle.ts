// How a Lambda's code is built: one set of esbuild options, used by the stack (infra/function.ts,
// through CDK's local bundling) and by the bundle bench (bench/bundle-bench.ts), so the bench
// measures exactly what is deployed.
//
// Lean cold start (issue 18): Lambda evaluates index.mjs and what it imports statically before the
// first event. Code splitting keeps what an answer never needs in chunks that are loaded by
// import() when asked for: the workbook renderers and exceljs (functions/summary-files.ts,
// ingest/), the S3 client (functions/runtime.ts), the SDK's credential providers other than the
// environment's. The source maps are written beside each file (index.mjs.map, chunks/*.mjs.map)
// but not read at run time: Lambda runs without --enable-source-maps (see README, Deployment, for
// how to map a stack trace back to the sources).

import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A Lambda entry point under functions/, by file name (infra imports runtime code only by path). */
export const entryPath = (name: string) => fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url));

// esbuild's ESM output has no `require`; CommonJS dependencies (telegraf, exceljs) call it for
// Node built-ins, so every output file gets one from createRequire. Aliased import: no name clashes.
export const ESM_REQUIRE_SHIM =
  "import { createRequire as __inspectionCreateRequire } from 'node:module';" +
  'const require = __inspectionCreateRequire(import.meta.url);';

/**
 * The Node options every function runs with (NODE_OPTIONS in infra/function.ts; the raw-export
 * test, the synth test and the bench start their children with them too, so they measure what is
 * deployed). Node 24 sizes V8's young generation from the memory it sees: three semi-spaces of
 * 64 MB each on a machine with 24 GB, whatever the old space is capped at. A streaming export
 * allocates fast and short-lived (a row, a page), so the young generation is where its memory
 * goes: with 8 MB semi-spaces the raw export of 20,000 surveys peaked at ~260 MB RSS instead of
 * ~390 MB (csv: ~235 instead of ~365), equally fast, and the webhook's cold import was unchanged
 * (median of 11: 138 against 144 ms). Fixed here, it is the same on every host. Nothing else:
 * --enable-source-maps would make every cold start slower (see bundleOptions).
 */
export const RUNTIME_NODE_OPTIONS = '--max-semi-space-size=8';

/** The file Lambda loads (`index.handler`). */
export const ENTRY_FILE = 'index.mjs';

/**
 * The esbuild options for one function, writing `index.mjs` and `chunks/*.mjs` (each with its
 * `.map`) into `outdir`.
 *
 * The AWS SDK v3 stays bundled (it is not marked external), although the nodejs24.x runtime ships
 * one, and although externalising it is what would bring the webhook under issue 18's 600 KB:
 * - Cold start: the SDK is about 270 KB of the ~865 KB evaluated at import. Marked external, the
 *   bundle drops to ~595 KB, but Node then loads the packages' CommonJS builds whole: 28 files,
 *   ~960 KB unminified and not tree-shaken. Measured on Node 20 with the same SDK resolved from
 *   node_modules, interleaved cold imports: a median of ~285–365 ms against ~160–200 ms bundled.
 *   The runtime's copy is the same kind of unbundled packages on disk (not measured on Lambda).
 * - Version: the tests run against the exact version package.json pins (../shared/TOOLCHAIN.md);
 *   the runtime's copy is whatever AWS last put in the image, a different and changing version.
 * Bundled, only the parts used are kept, minified, and the S3 client and the credential providers
 * the Lambda environment does not use sit in lazy chunks.
 */
export function bundleOptions(entry: string, outdir: string): BuildOptions & { outdir: string } {
  return {
    absWorkingDir: ROOT,
    entryPoints: { index: entryPath(entry) },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Prefer packages' ESM builds (they tree-shake); fall back to CommonJS.
    mainFields: ['module', 'main'],
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    banner: { js: ESM_REQUIRE_SHIM },
    minify: true,
    keepNames: true,
    // Stack traces can be mapped back to files and lines; the sources themselves stay out.
    sourcemap: 'linked',
    sourcesContent: false,
    // node-fetch 2's fallback URL implementation, dead code on Node 24 (see the shim).
    alias: { 'whatwg-url': fileURLToPath(new URL('./shims/whatwg-url.ts', import.meta.url)) },
    tsconfig: `${ROOT}tsconfig.json`,
    metafile: true,
    logLevel: 'warning',
  };
}

/** Builds one function's code into `outdir` (synchronously: CDK's local bundling is). */
export function bundleFunction(entry: string, outdir: string): Metafile {
  const result = buildSync(bundleOptions(entry, outdir));
  if (!result.metafile) throw new Error(`esbuild wrote no metafile for ${entry}`);
  return result.metafile;
}

/**
 * The output files Node evaluates when the entry is imported: the entry and every chunk reached
 * through static imports (not import()), with their sizes. Paths as in the metafile.
 */
export function loadedAtImport(metafile: Metafile): { files: string[]; bytes: number } {
  const entry = Object.keys(metafile.outputs).find(
    (path) => path === ENTRY_FILE || path.endsWith(`/${ENTRY_FILE}`),
  );
  if (!entry) throw new Error(`no ${ENTRY_FILE} among the outputs`);
  const files = new Set<string>();
  const pending = [entry];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    if (files.has(path)) continue;
    files.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? [])
      if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  const bytes = [...files].reduce((sum, path) => sum + (metafile.outputs[path]?.bytes ?? 0), 0);
  return { files: [...files], bytes };
}
