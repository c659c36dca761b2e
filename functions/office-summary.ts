// The office API's workbooks, built in the summaries function (issue 18: no request grows with the
// campaign). Built within the request, a province's raw export (about 70 s for 100,000 surveys)
// outlasted the 30 s API Gateway waits. Now POST /office/summaries with "format":"xlsx" records a
// job under exports/ and hands it to the summaries function (an asynchronous invoke), answering
// 202 with the job's id at once; GET /office/summaries/{job} says where it stands and, once built,
// links to the files (made fresh on each call, an hour long).
//
// A job lives in the bucket, beside its files: exports/<campaign>/jobs/<job>/job.json, expiring
// with exports/ (a day). Its id is 128 random bits: it is the only thing that names it, and only
// an IAM caller of the office API can ask. A repeated event (Lambda retries an asynchronous
// invoke) finds the job built and does nothing; one that comes while a build is still running
// builds again over the same job (nothing is sent to anyone: the record it ends with is the last
// build's).

import { randomBytes } from 'node:crypto';
import type { Clock } from '../app/messaging';
import type { FileStore, Store } from '../app/ports';
import type { LoggerLike } from '../bot/bot';
import type { Campaign } from '../domain/campaign';
import { chatFiles, type LinkedFile, OFFICE_LINK_SECONDS, systemOffice, XLSX } from './summary-files';

export interface OfficeSummaryRequest {
  type: 'office-summary';
  job: string;
  scope: 'city' | string;
  /** The IAM caller who asked (the audit's actor). */
  caller: string;
}

export function isOfficeSummaryRequest(event: unknown): event is OfficeSummaryRequest {
  const e = event as Partial<OfficeSummaryRequest> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.type === 'office-summary' &&
    typeof e.job === 'string' &&
    isJobId(e.job) &&
    typeof e.scope === 'string' &&
    typeof e.caller === 'string'
  );
}

/** 16 random bytes, base64url: 22 characters. */
export const newJobId = (): string => randomBytes(16).toString('base64url');
export const isJobId = (s: string): boolean => /^[A-Za-z0-9_-]{22}$/.test(s);

/**
 * A job not built this long after it was asked for never will be: Lambda keeps an asynchronous
 * event of the summaries function for two hours at most (its maxEventAge, infra/stack.ts), and a
 * run lasts five minutes at most. A build that fails says so at once; this is for runs that died.
 */
export const JOB_GIVE_UP_MS = (2 * 60 + 15) * 60 * 1000;

interface JobRecord {
  status: 'building' | 'ready' | 'failed';
  scope: string;
  requestedAt: string;
  builtAt?: string;
  files?: { fileName: string; key: string; size: number }[];
  /** The error's name only (never a message that might carry data). */
  error?: string;
}

const jobPrefix = (campaign: Pick<Campaign, 'id'>, job: string) => `exports/${campaign.id}/jobs/${job}/`;
const recordKey = (campaign: Pick<Campaign, 'id'>, job: string) => `${jobPrefix(campaign, job)}job.json`;

async function writeRecord(files: FileStore, campaign: Campaign, job: string, record: JobRecord) {
  await files.put(
    recordKey(campaign, job),
    new TextEncoder().encode(JSON.stringify(record)),
    'application/json',
  );
}

/** Records a new job as being built; returns its id. */
export async function startJob(
  deps: { files: FileStore; clock: Clock },
  campaign: Campaign,
  scope: string,
): Promise<string> {
  const job = newJobId();
  await writeRecord(deps.files, campaign, job, {
    status: 'building',
    scope,
    requestedAt: deps.clock.now().toISOString(),
  });
  return job;
}

export interface OfficeSummaryDeps {
  store: Store;
  clock: Clock;
  campaign: Campaign;
  files: FileStore;
  logger?: LoggerLike;
}

/** Builds a job's workbooks into the bucket and records them (or the failure) on the job. */
export async function runOfficeSummary(
  deps: OfficeSummaryDeps,
  req: OfficeSummaryRequest,
): Promise<'ready' | 'failed'> {
  const { campaign, files } = deps;
  const before = await readRecord(files, campaign, req.job);
  // A repeat of the event after the job was built (Lambda retries): nothing to do again.
  if (before?.status === 'ready') return 'ready';
  const requestedAt = before?.requestedAt ?? deps.clock.now().toISOString();
  const actor = systemOffice(`iam:${req.caller}`, deps.clock.now().toISOString());
  try {
    const built = await chatFiles(deps, actor, campaign, req.scope);
    const stored: NonNullable<JobRecord['files']> = [];
    for (const [i, f] of built.entries()) {
      if ('stored' in f) {
        stored.push({ fileName: f.fileName, key: f.stored.key, size: f.stored.size });
      } else {
        const key = `${jobPrefix(campaign, req.job)}${i}.xlsx`;
        await files.put(key, f.bytes, XLSX);
        stored.push({ fileName: f.fileName, key, size: f.bytes.length });
      }
    }
    await writeRecord(files, campaign, req.job, {
      status: 'ready',
      scope: req.scope,
      requestedAt,
      builtAt: deps.clock.now().toISOString(),
      files: stored,
    });
    return 'ready';
  } catch (err) {
    const error = err instanceof Error ? err.name : 'error';
    deps.logger?.error('office summary failed', { job: req.job, error });
    await writeRecord(files, campaign, req.job, { status: 'failed', scope: req.scope, requestedAt, error });
    return 'failed';
  }
}

async function readRecord(files: FileStore, campaign: Campaign, job: string): Promise<JobRecord | undefined> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await files.get(recordKey(campaign, job));
  } catch (err) {
    // S3 answers a missing key with 403 AccessDenied, not 404, to a caller without s3:ListBucket
    // (the functions have none): here that is a job id nobody made, or one whose day is over.
    if ((err as { name?: string }).name === 'AccessDenied') return undefined;
    throw err;
  }
  return bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as JobRecord) : undefined;
}

export type JobView =
  | { status: 'unknown' }
  | { status: 'building'; scope: string; requestedAt: string }
  | { status: 'failed'; scope: string; requestedAt: string; message: string }
  | { status: 'ready'; scope: string; requestedAt: string; builtAt: string; files: LinkedFile[] };

/** Where a job stands; once built, links to its files valid for an hour from now. */
export async function jobView(
  deps: { files: FileStore; clock: Clock },
  campaign: Campaign,
  job: string,
): Promise<JobView> {
  if (!isJobId(job)) return { status: 'unknown' };
  const record = await readRecord(deps.files, campaign, job);
  if (!record) return { status: 'unknown' };
  const { scope, requestedAt } = record;
  const now = deps.clock.now();
  if (record.status === 'ready' && record.files && record.builtAt) {
    const expiresAt = new Date(now.getTime() + OFFICE_LINK_SECONDS * 1000).toISOString();
    const files: LinkedFile[] = [];
    for (const f of record.files) {
      files.push({
        fileName: f.fileName,
        url: await deps.files.link(f.key, OFFICE_LINK_SECONDS, f.fileName),
        expiresAt,
        size: f.size,
      });
    }
    return { status: 'ready', scope, requestedAt, builtAt: record.builtAt, files };
  }
  if (record.status === 'failed')
    return { status: 'failed', scope, requestedAt, message: '生成失败,请重新请求。' };
  if (now.getTime() - Date.parse(requestedAt) > JOB_GIVE_UP_MS)
    return { status: 'failed', scope, requestedAt, message: '生成超时,请重新请求。' };
  return { status: 'building', scope, requestedAt };
}
