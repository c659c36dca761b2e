// Deployment parameters from CDK context (`-c campaignId=... -c botUsername=...`), with defaults
// so `npm run synth` works offline with no context at all. Checked here: a typo fails the synth
// with a message, not the first chat.

import type { Node } from 'constructs';
import { type Campaign, evidenceRetentionDays as campaignEvidenceDays } from '../domain/campaign';
import { DEFAULT_STACK_NAME } from './outputs';

export const DEFAULT_CAMPAIGN_ID = 'dongxing-2017';
/** A placeholder: invite links name the bot, so a real deployment passes its own username. */
export const PLACEHOLDER_BOT_USERNAME = 'change_me_bot';

export interface DeployConfig {
  stackName: string;
  campaignId: string;
  botUsername: string;
  /** Whether botUsername is the placeholder (synth warns; deploy should not use it). */
  botUsernameIsPlaceholder: boolean;
  /** Optional: alarm notifications by e-mail (the subscription must be confirmed). */
  alarmEmail?: string;
  /**
   * Days after upload the evidence photos are kept before S3 deletes them (personal data): by
   * default the campaign's retention plus its span (domain/campaign.ts evidenceRetentionDays), so
   * a photo lasts at least as long as the survey or problem it belongs to; 730 when the campaign
   * file is not in this checkout.
   */
  evidenceRetentionDays: number;
}

export const DEFAULT_EVIDENCE_RETENTION_DAYS = 730;

export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
}

const CAMPAIGN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
// Telegram: 5–32 characters, letters, digits and underscores; bot usernames end in "bot".
const BOT_USERNAME = /^[A-Za-z][A-Za-z0-9_]{2,29}bot$/i;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/**
 * The deployment's parameters. `campaignFile` reads campaigns/<id>.json (undefined when absent):
 * the photos' lifetime follows the campaign's retention, and may not be set shorter.
 */
export function readConfig(node: Node, campaignFile?: (id: string) => Campaign | undefined): DeployConfig {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new DeployConfigError(`context ${key} must be a string`);
    return value.trim();
  };
  const stackName = text('stackName') ?? DEFAULT_STACK_NAME;
  const campaignId = text('campaignId') ?? DEFAULT_CAMPAIGN_ID;
  const given = text('botUsername')?.replace(/^@/, '');
  const botUsername = given ?? PLACEHOLDER_BOT_USERNAME;
  const alarmEmail = text('alarmEmail');
  const retention = text('evidenceRetentionDays');
  const campaign = CAMPAIGN_ID.test(campaignId) ? campaignFile?.(campaignId) : undefined;
  const campaignDays = campaign ? campaignEvidenceDays(campaign) : undefined;
  const evidenceRetentionDays =
    retention === undefined ? (campaignDays ?? DEFAULT_EVIDENCE_RETENTION_DAYS) : Number(retention);
  if (!STACK_NAME.test(stackName))
    throw new DeployConfigError(`stackName "${stackName}" is not a valid name`);
  if (!CAMPAIGN_ID.test(campaignId))
    throw new DeployConfigError(`campaignId "${campaignId}" must be lower-case letters, digits and dashes`);
  if (!BOT_USERNAME.test(botUsername))
    throw new DeployConfigError(
      `botUsername "${botUsername}" is not a Telegram bot username (5-32 letters, digits or _, ending in "bot")`,
    );
  if (!Number.isInteger(evidenceRetentionDays) || evidenceRetentionDays < 30 || evidenceRetentionDays > 3650)
    throw new DeployConfigError(
      `evidenceRetentionDays "${retention}" must be a whole number of days, 30 to 3650`,
    );
  if (campaignDays !== undefined && evidenceRetentionDays < campaignDays)
    throw new DeployConfigError(
      `evidenceRetentionDays ${evidenceRetentionDays} is shorter than campaign ${campaignId} keeps its records ` +
        `(${campaignDays} days: retention.daysAfterEnd plus the campaign's span); photos would go before their surveys`,
    );
  if (alarmEmail && !EMAIL.test(alarmEmail))
    throw new DeployConfigError(`alarmEmail "${alarmEmail}" is not an e-mail address`);
  return {
    stackName,
    campaignId,
    botUsername,
    botUsernameIsPlaceholder: given === undefined,
    evidenceRetentionDays,
    ...(alarmEmail ? { alarmEmail } : {}),
  };
}
