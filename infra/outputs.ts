// The stack's output names, shared by the stack (which declares them) and the deploy scripts
// (which read them back from the file `npm run deploy` writes). No CDK import: scripts stay light.

import { readFile } from 'node:fs/promises';

export const DEFAULT_STACK_NAME = 'InspectionBot';

/** Written by `cdk deploy --outputs-file cdk-outputs.json` (the deploy script). */
export const OUTPUTS_FILE = 'cdk-outputs.json';

export const OUTPUTS = {
  webhookUrl: 'WebhookUrl',
  officeApiUrl: 'OfficeApiUrl',
  botSecretArn: 'BotSecretArn',
  tableName: 'TableName',
  evidenceBucket: 'EvidenceBucketName',
  officeInvokePolicyArn: 'OfficeApiInvokePolicyArn',
  alarmTopicArn: 'AlarmTopicArn',
  campaignId: 'CampaignId',
  botUsername: 'BotUsername',
} as const;

/** The region in an ARN (`arn:aws:secretsmanager:<region>:...`), if it names one. */
export const regionOfArn = (arn: string | undefined): string | undefined => arn?.split(':')[3] || undefined;

export type StackOutputs = Partial<Record<keyof typeof OUTPUTS, string>>;

/**
 * The outputs of one stack from a cdk outputs file, or undefined when the file does not exist.
 * Without a stack name the file must hold exactly one stack.
 */
export async function readStackOutputs(
  file: string = OUTPUTS_FILE,
  stackName?: string,
): Promise<StackOutputs | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const stacks = JSON.parse(text) as Record<string, Record<string, string>>;
  const names = Object.keys(stacks);
  const name = stackName ?? (names.length === 1 ? names[0] : undefined);
  if (!name) throw new Error(`${file} holds stacks ${names.join(', ')}: name one with --stack`);
  const raw = stacks[name];
  if (!raw) return undefined;
  const out: StackOutputs = {};
  for (const [key, outputName] of Object.entries(OUTPUTS) as [keyof typeof OUTPUTS, string][]) {
    const value = raw[outputName];
    if (value) out[key] = value;
  }
  return out;
}
