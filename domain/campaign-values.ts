// The fixed values of a campaign (domain/campaign.ts re-exports them): roles, acknowledgement
// kinds, value formats, limits. Apart from the schema (domain/campaign-schema.ts), so that the
// running functions, which read a campaign already checked when it was loaded, never evaluate zod.

/** Role ids of DOMAIN.md §10; deadlines name the roles that must act. */
export const ROLES = ['office', 'leader', 'liaison', 'inspector', 'town_contact'] as const;
export type Role = (typeof ROLES)[number];

/** Which acknowledgement button fits a deadline: 已完成 / 已上传 / 已提交. */
export const ACK_KINDS = ['done', 'uploaded', 'submitted'] as const;
export type AckKind = (typeof ACK_KINDS)[number];

/** 九有一低于 rows of 表4 apply only to a county that has exited or plans to exit this year. */
export const COUNTY_STATUSES = ['none', 'exited', 'planned_exit'] as const;
export type CountyStatus = (typeof COUNTY_STATUSES)[number];

// ---------------------------------------------------------------------------------------------
// Small value formats

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
export const ID = /^[a-z][a-z0-9_-]*$/;

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export function parseLocal(s: string): LocalParts | undefined {
  const m = LOCAL_DATE_TIME.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || hour > 23 || minute > 59) return undefined;
  // Day 0 of the next month is the last day of this one, so 2017-02-30 is rejected.
  if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return { year, month, day, hour, minute };
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Days personal data is kept after the campaign's end unless the file says otherwise. */
export const DEFAULT_RETENTION_DAYS = 365;
/** A month at least (the archive is made at close), ten years at most. */
export const RETENTION_LIMITS = { min: 30, max: 3650 } as const;
/**
 * Ids travel in Telegram's button data, at most 64 bytes, some buttons carrying two of them with
 * their kind and an index ("gl:<group>:<village>"): an id longer than this would fail only when the
 * button is sent, so the campaign is refused when it is loaded.
 */
export const MAX_ID_LENGTH = 24;

/** The signature line of a campaign that configures none: 填表人, 审核人, 联系电话, 填报日期, 单位盖章. */
export const SIGNATURE_LINE: readonly { label: string; value?: string }[] = [
  { label: '填表人' },
  { label: '审核人' },
  { label: '联系电话' },
  { label: '填报日期' },
  { label: '单位盖章' },
];
