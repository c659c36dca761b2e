// The webhook Lambda's bundle: built with the stack's own esbuild options (infra/bundle.ts, which
// infra/function.ts bundles with: ESM split into chunks, node24, minified, names kept, linked
// source maps without sources, the AWS SDK bundled, the `require` shim banner), then imported cold
// by fresh `node` processes outside the repository, the way a new Lambda container loads it.
//
// The size that matters is what Node evaluates at import: index.mjs and the chunks it imports
// statically (`webhookBundleKb`); the lazy chunks (exceljs, the workbooks, …) and the islands (the
// S3 and Lambda clients, unused credential providers) are loaded by the first event that needs them. The cold import is timed as deployed, without source maps
// (`coldImportMs`, the median of 7 fresh processes), and for comparison with --enable-source-maps,
// which the stack set until issue 18.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleFunction, ENTRY_FILE, loadedAtImport, RUNTIME_NODE_OPTIONS } from '../infra/bundle';
import { ms, percentile, sorted, table } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Issue 18's measure: the median of this many cold imports. */
export const COLD_IMPORT_RUNS = 7;

export interface BundleBenchResult {
  entry: string;
  /** Bytes Node evaluates at import: index.mjs and the chunks it imports statically. */
  bytes: number;
  /** `bytes` in KB (1,024 bytes), rounded: the figure issue 18 sets at ≤ 600. */
  webhookBundleKb: number;
  /** The median import time (ms) of COLD_IMPORT_RUNS fresh processes, no source maps (as deployed). */
  coldImportMs: number;
  gzipBytes: number;
  /** Bytes of the chunks loaded only by import() when an event needs them (exceljs, S3, …). */
  lazyBytes: number;
  /** Output files in all (index.mjs and chunks, maps not counted), and those loaded at import. */
  files: number;
  loadedFiles: number;
  /** All source map files together (written beside the code, not read at run time). */
  mapBytes: number;
  buildMs: number;
  /** Median and worst import time inside a fresh process (ms). */
  importMs: { p50: number; max: number };
  /** The same with --enable-source-maps, which the stack no longer sets. */
  importWithSourceMapsMs: { p50: number; max: number };
  /** Median wall time of a fresh `node` that only imports the bundle. */
  processMs: number;
  /** Median wall time of a fresh `node` doing nothing (the process's own start). */
  bareProcessMs: number;
  nodeVersion: string;
}

const IMPORT = (file: string) =>
  `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
  'console.log(JSON.stringify({ ms: performance.now() - t0 }));';

function runNode(args: string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; wallMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`node exited ${code}: ${stderr}`));
      else resolve({ stdout, wallMs });
    });
  });
}

/**
 * Builds `entry` as the stack does and imports it cold. `runs` fresh processes per variant, never
 * fewer than COLD_IMPORT_RUNS, so `coldImportMs` is always a median of at least 7.
 */
export async function benchBundle(
  entry = 'telegram-webhook',
  runs = COLD_IMPORT_RUNS,
): Promise<BundleBenchResult> {
  runs = Math.max(runs, COLD_IMPORT_RUNS);
  const dir = await mkdtemp(join(tmpdir(), 'bundle-bench-'));
  try {
    const t0 = performance.now();
    const { metafile, islands } = bundleFunction(entry, dir, 'silent');
    const buildMs = performance.now() - t0;
    const outfile = join(dir, ENTRY_FILE);
    const loaded = loadedAtImport(metafile);
    // The function's files and its islands' (infra/bundle.ts ISLANDS), each loaded when first needed.
    const outputs = [metafile, ...Object.values(islands)].flatMap((m) => Object.entries(m.outputs));
    const code = outputs.filter(([path]) => !path.endsWith('.map'));
    const allBytes = code.reduce((sum, [, o]) => sum + o.bytes, 0);
    const gzipBytes = (
      await Promise.all(loaded.files.map(async (path) => gzipSync(await readFile(join(ROOT, path))).length))
    ).reduce((a, b) => a + b, 0);
    const mapBytes = (
      await Promise.all(
        outputs
          .map(([path]) => path)
          .filter((path) => path.endsWith('.map'))
          .map(async (path) => (await stat(join(ROOT, path))).size),
      )
    ).reduce((a, b) => a + b, 0);
    // Only what Lambda sets: no repository paths, no local credentials.
    const env = {
      PATH: process.env.PATH ?? '',
      // The functions' own Node options (infra/function.ts), as Lambda starts them.
      NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_SERVICE_NAME: 'inspection-bot',
    };
    const importTimes: number[] = [];
    const mappedTimes: number[] = [];
    const wall: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      const plain = await runNode(['--input-type=module', '-e', IMPORT(outfile)], env);
      importTimes.push(JSON.parse(plain.stdout.trim().split('\n').at(-1) ?? '{}').ms);
      wall.push(plain.wallMs);
      const mapped = await runNode(
        ['--enable-source-maps', '--input-type=module', '-e', IMPORT(outfile)],
        env,
      );
      mappedTimes.push(JSON.parse(mapped.stdout.trim().split('\n').at(-1) ?? '{}').ms);
      bare.push((await runNode(['-e', '0'], env)).wallMs);
    }
    const summary = (xs: number[]) => ({ p50: percentile(sorted(xs), 0.5), max: Math.max(...xs) });
    const importMs = summary(importTimes);
    return {
      entry,
      bytes: loaded.bytes,
      webhookBundleKb: Math.round(loaded.bytes / 1024),
      coldImportMs: median(importTimes.slice(0, COLD_IMPORT_RUNS)),
      gzipBytes,
      lazyBytes: allBytes - loaded.bytes,
      files: code.length,
      loadedFiles: loaded.files.length,
      mapBytes,
      buildMs,
      importMs,
      importWithSourceMapsMs: summary(mappedTimes),
      processMs: percentile(sorted(wall), 0.5),
      bareProcessMs: percentile(sorted(bare), 0.5),
      nodeVersion: process.version,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The middle value of an odd count (the mean of the middle two of an even one). */
function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

export function bundleTable(results: readonly BundleBenchResult[]): string {
  return table(
    [
      'function',
      'loaded at import (gzip)',
      'lazy chunks and islands',
      'source maps',
      'esbuild ms',
      'cold import p50 / max ms',
      'with --enable-source-maps p50 / max ms',
      'fresh node + import ms (bare node)',
    ],
    results.map((r) => [
      r.entry,
      `${kb(r.bytes)} (${kb(r.gzipBytes)})`,
      `${kb(r.lazyBytes)} in ${r.files - r.loadedFiles} files`,
      kb(r.mapBytes),
      ms(r.buildMs, 0),
      `${ms(r.importMs.p50)} / ${ms(r.importMs.max)}`,
      `${ms(r.importWithSourceMapsMs.p50)} / ${ms(r.importWithSourceMapsMs.max)}`,
      `${ms(r.processMs, 0)} (${ms(r.bareProcessMs, 0)})`,
    ]),
  );
}

/** What the table measures, for bench/index.ts to print under it (replaces its pre-issue-18 note). */
export const BUNDLE_NOTE =
  'esbuild with the stack’s own options (infra/bundle.ts: ESM split into chunks, node24, minify, keepNames, ' +
  'linked source maps without sources, AWS SDK bundled). "Loaded at import" is index.mjs and the chunks it ' +
  'imports statically (webhookBundleKb); the lazy chunks (exceljs and the workbooks, the list reader) and the ' +
  'islands (the S3 and Lambda clients and the unused credential providers, each bundled on its own with its own ' +
  'copy of the SDK core, so that what only they use is not shared into the chunks loaded at import) load on the ' +
  'first event that needs them. Cold import: a fresh `node` outside the ' +
  'repository imports the bundle (module parse and top-level code; the handler builds its runtime on the first ' +
  'event), median of 7 (coldImportMs). Lambda runs without --enable-source-maps since issue 18; that column ' +
  'shows what it cost. Local Node is not the Lambda runtime: compare the columns, not the absolute numbers.';
