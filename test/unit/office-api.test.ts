// The office's HTTP API over the in-memory store: IAM callers only, summaries with 表4 by row id,
// workbooks built as jobs (by the summaries function, or inline without one) and answered as
// links, invites, and clear 400s and 404s for bad requests.

import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../app/memory-files';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign-schema';
import { createOfficeApi } from '../../functions/office-api';
import { type OfficeSummaryRequest, runOfficeSummary } from '../../functions/office-summary';

const campaign = parseCampaign(seed);

function event(routeKey: string, body: unknown, caller: string | null = 'arn:aws:iam::1:user/pan') {
  return {
    routeKey,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: caller ? { iam: { userArn: caller } } : undefined },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

/**
 * The API over an in-memory store and bucket (`withBucket: false`: no bucket configured). With
 * `later`, workbook jobs are queued for the summaries function (run them with `build`); without,
 * built inline as `npm start` does.
 */
function api({ withBucket = true, later = false } = {}) {
  const store = new MemoryStore();
  const files = new MemoryFiles();
  const clock = new ManualClock(new Date('2017-11-04T12:00:00Z'));
  const queued: OfficeSummaryRequest[] = [];
  const handler = createOfficeApi({
    store,
    campaign,
    clock,
    botUsername: 'DongxingInspectionBot',
    ...(withBucket ? { files } : {}),
    ...(later ? { later: async (r: OfficeSummaryRequest) => void queued.push(r) } : {}),
  });
  /** The summaries function's run of a queued job. */
  const build = (r: OfficeSummaryRequest, s: MemoryStore = store) =>
    runOfficeSummary({ store: s, clock, campaign, files }, r);
  return { store, handler, files, clock, queued, build };
}

interface JobBody {
  job: string;
  status: string;
  error?: string;
  message?: string;
  files?: { fileName: string; url: string; expiresAt: string; size: number }[];
}
const bodyOf = (res: { body?: unknown }) => JSON.parse(String(res.body)) as JobBody;
const jobEvent = (job: string) =>
  ({
    ...event('GET /office/summaries/{job}', undefined),
    pathParameters: { job },
  }) as APIGatewayProxyEventV2WithIAMAuthorizer;

describe('the office API', () => {
  it('builds the city summary and names each 表4 row by its id', async () => {
    const { handler } = api();
    const res = await handler(event('POST /office/summaries', { scope: 'city' }));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(String(res.body));
    expect(body.city.table4.t4_households).toMatchObject({
      label: expect.stringContaining('抽查户总数'),
      value: 0,
    });
    expect(body.towns.map((t: { townId: string }) => t.townId)).toEqual(['dongxing', 'jiangping', 'malu']);
  });

  it('answers the workbooks as links to the bucket, an hour long, never as bytes', async () => {
    const { handler, files, clock } = api();
    const res = await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' }));
    // No summaries function here (npm start): built before the answer.
    expect(res.statusCode).toBe(202);
    const body = bodyOf(res);
    expect(body.status).toBe('ready');
    expect(String(res.body)).not.toContain('base64');
    expect(body.files?.map((f) => f.fileName)).toEqual([
      expect.stringContaining('马路镇-汇总表'),
      expect.stringContaining('马路镇-原始数据'),
    ]);
    expect(body.files?.every((f) => f.expiresAt === '2017-11-04T13:00:00.000Z')).toBe(true);
    // Each link names an object under exports/ that holds the workbook it says.
    for (const f of body.files ?? []) {
      const key = decodeURIComponent(/^memory:\/\/\/([^?]+)\?expires=3600/.exec(f.url)?.[1] ?? '');
      expect(key.startsWith(`exports/${campaign.id}/`)).toBe(true);
      const bytes = await files.get(key);
      expect(bytes?.length).toBe(f.size);
      expect(Buffer.from(bytes!).subarray(0, 2).toString()).toBe('PK');
    }
    // Asked again later, the same job answers links that work an hour from then.
    clock.advance(3 * 3600_000);
    const again = bodyOf(await handler(jobEvent(body.job)));
    expect(again.files?.map((f) => [f.fileName, f.size])).toEqual(
      body.files?.map((f) => [f.fileName, f.size]),
    );
    expect(again.files?.every((f) => f.expiresAt === '2017-11-04T16:00:00.000Z')).toBe(true);
  });

  it('hands the workbooks to the summaries function and answers at once; the job says when they are ready', async () => {
    const { handler, queued, build } = api({ later: true });
    const res = await handler(event('POST /office/summaries', { scope: 'city', format: 'xlsx' }));
    expect(res.statusCode).toBe(202);
    const { job, status } = bodyOf(res);
    expect(job).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(status).toBe('building');
    expect(queued).toEqual([
      { type: 'office-summary', job, scope: 'city', caller: 'arn:aws:iam::1:user/pan' },
    ]);
    expect(bodyOf(await handler(jobEvent(job)))).toMatchObject({ job, status: 'building', scope: 'city' });

    expect(await build(queued[0]!)).toBe('ready');
    const ready = bodyOf(await handler(jobEvent(job)));
    expect(ready.status).toBe('ready');
    expect(ready.files?.map((f) => f.fileName)).toEqual([
      expect.stringContaining('全市-汇总表'),
      expect.stringContaining('全市-原始数据'),
    ]);
    // Lambda runs the event again: nothing is built again (with a store that would fail, the job
    // stays ready with the same two files).
    const broken = new (class extends MemoryStore {
      override async surveysOfTown(): Promise<never> {
        throw new Error('the table is unreachable');
      }
    })();
    expect(await build(queued[0]!, broken)).toBe('ready');
    expect(bodyOf(await handler(jobEvent(job))).files?.map((f) => f.fileName)).toEqual(
      ready.files?.map((f) => f.fileName),
    );
  });

  it('says when a job failed or never finished, and knows no other job', async () => {
    const { handler, queued, build, clock } = api({ later: true });
    const failing = new (class extends MemoryStore {
      override async surveysOfTown(): Promise<never> {
        throw new Error('the table is unreachable');
      }
    })();
    await failing.putCampaign(campaign);
    const first = bodyOf(await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' })));
    expect(await build(queued[0]!, failing)).toBe('failed');
    expect(bodyOf(await handler(jobEvent(first.job)))).toMatchObject({
      status: 'failed',
      message: '生成失败,请重新请求。',
    });

    // Asked for, never built (the function's runs all died): once Lambda would have dropped the
    // event, it says so.
    const second = bodyOf(await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' })));
    clock.advance(2 * 3600_000);
    expect(bodyOf(await handler(jobEvent(second.job))).status).toBe('building');
    clock.advance(16 * 60_000);
    expect(bodyOf(await handler(jobEvent(second.job)))).toMatchObject({
      status: 'failed',
      message: '生成超时,请重新请求。',
    });

    for (const job of ['AAAAAAAAAAAAAAAAAAAAAA', '../../evidence/x', '']) {
      const res = await handler(jobEvent(job));
      expect(res.statusCode, job).toBe(404);
      expect(bodyOf(res).message).toContain('没有这个生成任务');
    }
    // A town the campaign does not have is refused before any job is recorded.
    const before = queued.length;
    const unknown = await handler(event('POST /office/summaries', { scope: 'nowhere', format: 'xlsx' }));
    expect(unknown.statusCode).toBe(400);
    expect(JSON.parse(String(unknown.body)).message).toContain('nowhere');
    expect(queued).toHaveLength(before);
  });

  it('answers an unknown job 404 as S3 answers a missing key to a role without ListBucket (403)', async () => {
    const files = new (class extends MemoryFiles {
      override async get(key: string) {
        const bytes = await super.get(key);
        if (!bytes) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
        return bytes;
      }
    })();
    const handler = createOfficeApi({
      store: new MemoryStore(),
      campaign,
      clock: new ManualClock(new Date('2017-11-04T12:00:00Z')),
      botUsername: 'DongxingInspectionBot',
      files,
    });
    const unknown = await handler(jobEvent('AAAAAAAAAAAAAAAAAAAAAA'));
    expect(unknown.statusCode).toBe(404);
    expect(bodyOf(unknown).error).toBe('unknown_job');
    // A job that exists reads as before.
    const made = bodyOf(await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' })));
    expect(bodyOf(await handler(jobEvent(made.job))).status).toBe('ready');
  });

  it('says so when no bucket is configured, rather than answer bytes', async () => {
    const { handler } = api({ withBucket: false });
    const res = await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' }));
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(String(res.body)).error).toBe('no_file_store');
  });

  it('creates a one-time invite and answers its link', async () => {
    const { handler, store } = api();
    const res = await handler(event('POST /office/invites', { role: 'inspector', groupId: 'g2' }));
    expect(res.statusCode).toBe(201);
    const link = JSON.parse(String(res.body)).link as string;
    expect(link).toMatch(/^https:\/\/t\.me\/DongxingInspectionBot\?start=[\w-]{16}$/);
    const invite = await store.getInvite(link.split('start=')[1]!);
    expect(invite).toMatchObject({
      role: 'inspector',
      groupId: 'g2',
      createdBy: 'iam:arn:aws:iam::1:user/pan',
    });
  });

  it('refuses calls without an IAM identity and explains bad requests', async () => {
    const { handler } = api();
    expect((await handler(event('POST /office/invites', { role: 'office' }, null))).statusCode).toBe(403);
    const unknownTown = await handler(event('POST /office/summaries', { scope: 'nowhere' }));
    expect(unknownTown.statusCode).toBe(400);
    expect(JSON.parse(String(unknownTown.body)).message).toContain('nowhere');
    expect((await handler(event('POST /office/invites', { role: 'inspector' }))).statusCode).toBe(400);
    expect((await handler(event('POST /office/invites', { role: 'mayor' }))).statusCode).toBe(400);
    expect((await handler(event('GET /office/other', {}))).statusCode).toBe(404);
  });
});
