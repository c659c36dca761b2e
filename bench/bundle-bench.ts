// The webhook Lambda's bundle: built with esbuild as the CDK stack builds it (infra/function.ts:
// ESM, node24, minified, names kept, external source map without sources, the AWS SDK bundled,
// the `require` shim banner), then imported cold by fresh `node` processes outside the
// repository, the way a new Lambda container loads it. Lambda sets NODE_OPTIONS=
// --enable-source-maps, so the import is timed with and without it.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { ms, percentile, sorted, table } from './stats';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ESM_REQUIRE_SHIM =
  "import { createRequire as __inspectionCreateRequire } from 'node:module';" +
  'const require = __inspectionCreateRequire(import.meta.url);';

export interface BundleBenchResult {
  entry: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  buildMs: number;
  /** Median and worst import time inside a fresh process (ms). */
  importMs: { p50: number; max: number };
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

export async function benchBundle(entry = 'telegram-webhook', runs = 7): Promise<BundleBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'bundle-bench-'));
  try {
    const outfile = join(dir, 'index.mjs');
    const t0 = performance.now();
    await build({
      entryPoints: [join(ROOT, 'functions', `${entry}.ts`)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      mainFields: ['module', 'main'],
      banner: { js: ESM_REQUIRE_SHIM },
      target: 'node24',
      minify: true,
      keepNames: true,
      sourcemap: 'linked',
      sourcesContent: false,
      tsconfig: join(ROOT, 'tsconfig.json'),
      logLevel: 'silent',
    });
    const buildMs = performance.now() - t0;
    const bytes = (await stat(outfile)).size;
    const gzipBytes = gzipSync(await readFile(outfile)).length;
    const mapBytes = (await stat(`${outfile}.map`)).size;
    // Only what Lambda sets: no repository paths, no local credentials.
    const env = {
      PATH: process.env.PATH ?? '',
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
    return {
      entry,
      bytes,
      gzipBytes,
      mapBytes,
      buildMs,
      importMs: summary(importTimes),
      importWithSourceMapsMs: summary(mappedTimes),
      processMs: percentile(sorted(wall), 0.5),
      bareProcessMs: percentile(sorted(bare), 0.5),
      nodeVersion: process.version,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;

export function bundleTable(results: readonly BundleBenchResult[]): string {
  return table(
    [
      'function',
      'bundle (gzip)',
      'source map',
      'esbuild ms',
      'cold import p50 / max ms',
      'with --enable-source-maps p50 / max ms',
      'fresh node + import ms (bare node)',
    ],
    results.map((r) => [
      r.entry,
      `${kb(r.bytes)} (${kb(r.gzipBytes)})`,
      kb(r.mapBytes),
      ms(r.buildMs, 0),
      `${ms(r.importMs.p50)} / ${ms(r.importMs.max)}`,
      `${ms(r.importWithSourceMapsMs.p50)} / ${ms(r.importWithSourceMapsMs.max)}`,
      `${ms(r.processMs, 0)} (${ms(r.bareProcessMs, 0)})`,
    ]),
  );
}
