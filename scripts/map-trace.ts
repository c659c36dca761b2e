// `npx tsx scripts/map-trace.ts <bundle dir> < trace.txt`: rewrites a stack trace logged by a
// deployed function (`…/var/task/chunks/chunk-AB12.mjs:1:40213`) into source positions
// (`bot/survey-flow.ts:212:11`), using the source maps written beside the bundle (infra/bundle.ts).
// Lambda runs without --enable-source-maps (it slows every cold start), so traces in the logs point
// into the minified bundle; function names are kept (keepNames), the positions need this.
//
// The bundle directory is the function's asset: `cdk.out/asset.<hash>/` after `npm run synth` or
// `deploy` of the same commit, or the function's code downloaded from Lambda
// (`aws lambda get-function --function-name … --query Code.Location`, unzipped).

import { readFileSync, realpathSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * A position in the bundle, 1-based as Node prints it: `file:///var/task/index.mjs:1:234`,
 * `/var/task/chunks/x.mjs:1:234`, `/var/task/islands/s3-files.mjs:1:234` (any directory in front,
 * e.g. a local copy).
 */
const POSITION = /(?:[^\s()]*?\/)?((?:chunks\/|islands\/)?[\w.-]+\.mjs):(\d+):(\d+)/g;

/** Where a repository file starts in a source path the map gives relative to where it was built. */
const REPO_PATH = /(?:^|\/)((?:app|bot|domain|functions|infra|ingest|local|reports|store|node_modules)\/.*)$/;

export function mapTrace(trace: string, bundleDir: string): string {
  const maps = new Map<string, SourceMap | undefined>();
  const mapOf = (file: string) => {
    if (!maps.has(file)) {
      try {
        maps.set(file, new SourceMap(JSON.parse(readFileSync(join(bundleDir, `${file}.map`), 'utf8'))));
      } catch {
        maps.set(file, undefined); // no such file in this bundle: leave the position as it is
      }
    }
    return maps.get(file);
  };
  return trace.replace(POSITION, (whole, file: string, line: string, column: string) => {
    const entry = mapOf(file)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return whole;
    const source = REPO_PATH.exec(entry.originalSource)?.[1] ?? entry.originalSource;
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

const entry = process.argv[1];
if (entry && pathToFileURL(realpathSync(entry)).href === import.meta.url) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: npx tsx scripts/map-trace.ts <bundle dir> < trace.txt');
    process.exit(2);
  }
  process.stdout.write(mapTrace(readFileSync(0, 'utf8'), dir));
}
