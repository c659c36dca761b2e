// `npx tsx scripts/load-campaign.ts [<id|path>]`: validates a campaign file (campaigns/<id>.json)
// and writes it into the deployed table, where the functions read it at cold start. Run it after
// the first deploy and whenever the campaign file changes. It never creates a table: the stack
// owns the table, and a typo in the name must fail rather than write somewhere else.

import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OUTPUTS_FILE, readStackOutputs, regionOfArn } from '../infra/outputs';
import { loadCampaignFile } from '../local/campaign-file';
import { createDynamoClient } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const HELP = `Usage: npx tsx scripts/load-campaign.ts [<campaign id or file>] [options]

Validates the campaign file (default: the deployed stack's campaign, else dongxing-2017, read
from campaigns/<id>.json) and writes it into the deployed table (replacing a stored copy).

Options:
  --table <name>     table name          (env TABLE_NAME; else output TableName of ${OUTPUTS_FILE})
  --region <region>  AWS region          (default: the stack's, from ${OUTPUTS_FILE}; else AWS_REGION)
  --outputs <file>   cdk outputs file (default ${OUTPUTS_FILE})
  --stack <name>     stack in the outputs file (when it holds several)
  -h, --help         show this help

DYNAMODB_ENDPOINT points it at a local engine instead of AWS.`;

class UsageError extends Error {}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      table: { type: 'string' },
      region: { type: 'string' },
      outputs: { type: 'string' },
      stack: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('give one campaign id or file');
  const env = process.env;
  const outputs = (await readStackOutputs(values.outputs ?? OUTPUTS_FILE, values.stack)) ?? {};
  const tableName = values.table ?? env.TABLE_NAME ?? outputs.tableName;
  if (!tableName) throw new UsageError('no table: pass --table, set TABLE_NAME, or run npm run deploy first');
  // The stack's region (its secret's ARN names it) beats a shell default pointing elsewhere.
  const region =
    values.region ?? regionOfArn(outputs.botSecretArn) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const endpoint = env.DYNAMODB_ENDPOINT;

  const campaign = await loadCampaignFile(positionals[0] ?? outputs.campaignId ?? 'dongxing-2017');
  if (outputs.campaignId && outputs.campaignId !== campaign.id)
    log(`note: the stack runs campaign ${outputs.campaignId}; this file is ${campaign.id}`);

  // The SDK's own chain (profile config) picks the region when nothing above names one.
  const raw = new DynamoDBClient({ ...(endpoint ? { endpoint } : {}), ...(region ? { region } : {}) });
  let resolvedRegion: string;
  try {
    resolvedRegion = await raw.config.region();
    // The table must exist already (DescribeTable fails with ResourceNotFoundException otherwise).
    await raw.send(new DescribeTableCommand({ TableName: tableName }));
  } finally {
    raw.destroy();
  }
  const client = createDynamoClient({ ...(endpoint ? { endpoint } : {}), region: resolvedRegion });
  try {
    await new DynamoStore({ client, tableName }).putCampaign(campaign);
  } finally {
    client.destroy();
  }
  log(`campaign ${campaign.id} (${campaign.name}) written to table ${tableName} in ${resolvedRegion}`);
  log(
    'functions already running keep the campaign they loaded until they are recycled (README.md, Deploying to AWS, Updating)',
  );
  return 0;
}

const entry = process.argv[1];
if (entry && pathToFileURL(realpathSync(entry)).href === import.meta.url) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const usage =
        err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
      console.error(
        usage ? `${(err as Error).message}\n(--help for usage)` : err instanceof Error ? err.message : err,
      );
      process.exitCode = usage ? 2 : 1;
    },
  );
}
