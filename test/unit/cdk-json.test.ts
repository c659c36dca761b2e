// cdk.json carries the feature flags `cdk init` writes for the aws-cdk-lib in package.json, so a
// first deployment gets the behaviour AWS recommends today instead of the v2.0 defaults kept for
// old apps (and a flag cannot flip under a deployed stack when it is added later).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  app: string;
  context?: Record<string, unknown>;
};
const { CURRENTLY_RECOMMENDED_FLAGS } = require('aws-cdk-lib/cx-api') as {
  CURRENTLY_RECOMMENDED_FLAGS: Record<string, unknown>;
};

describe('cdk.json', () => {
  it('sets every flag aws-cdk-lib currently recommends for a new project, at its recommended value', () => {
    expect(Object.keys(CURRENTLY_RECOMMENDED_FLAGS).length).toBeGreaterThan(50);
    const missing = Object.entries(CURRENTLY_RECOMMENDED_FLAGS).filter(
      ([flag, value]) => JSON.stringify(cdkJson.context?.[flag]) !== JSON.stringify(value),
    );
    expect(missing.map(([flag]) => flag)).toEqual([]);
  });

  it('runs the app with tsx', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
  });
});
