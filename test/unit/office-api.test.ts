// The office's HTTP API over the in-memory store: IAM callers only, summaries with 表4 by row id,
// invites, and clear 400s for bad requests.

import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { MemoryFiles } from '../../app/memory-files';
import { MemoryStore } from '../../app/memory-store';
import { ManualClock } from '../../app/messaging';
import seed from '../../campaigns/dongxing-2017.json';
import { parseCampaign } from '../../domain/campaign';
import { createOfficeApi } from '../../functions/office-api';

const campaign = parseCampaign(seed);

function event(routeKey: string, body: unknown, caller: string | null = 'arn:aws:iam::1:user/pan') {
  return {
    routeKey,
    body: JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { authorizer: caller ? { iam: { userArn: caller } } : undefined },
  } as unknown as APIGatewayProxyEventV2WithIAMAuthorizer;
}

/** The API over an in-memory store and bucket (`withBucket: false`: no bucket configured). */
function api({ withBucket = true } = {}) {
  const store = new MemoryStore();
  const files = new MemoryFiles();
  const handler = createOfficeApi({
    store,
    campaign,
    clock: new ManualClock(new Date('2017-11-04T12:00:00Z')),
    botUsername: 'DongxingInspectionBot',
    ...(withBucket ? { files } : {}),
  });
  return { store, handler, files };
}

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
    const { handler, files } = api();
    const res = await handler(event('POST /office/summaries', { scope: 'malu', format: 'xlsx' }));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(String(res.body)) as {
      files: { fileName: string; url: string; expiresAt: string; size: number }[];
    };
    expect(String(res.body)).not.toContain('base64');
    expect(body.files.map((f) => f.fileName)).toEqual([
      expect.stringContaining('马路镇-汇总表'),
      expect.stringContaining('马路镇-原始数据'),
    ]);
    expect(body.files.every((f) => f.expiresAt === '2017-11-04T13:00:00.000Z')).toBe(true);
    // Each link names an object under exports/ that holds the workbook it says.
    for (const f of body.files) {
      const key = decodeURIComponent(/^memory:\/\/\/([^?]+)\?expires=3600/.exec(f.url)?.[1] ?? '');
      expect(key.startsWith(`exports/${campaign.id}/`)).toBe(true);
      const bytes = await files.get(key);
      expect(bytes?.length).toBe(f.size);
      expect(Buffer.from(bytes!).subarray(0, 2).toString()).toBe('PK');
    }
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
