// `npm run archive` at campaign close, against local stand-ins: the table on DynamoDB Local, the
// photos on s3rver. The archive holds this campaign's items (and the people and audit trail tied to
// none) as readable JSON lines and its photos byte for byte, and nothing of another campaign. The
// AWS path's CreateBackup is checked against aws-sdk-client-mock.

import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBackupCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCampaignFile } from '../../local/campaign-file';
import { LOCAL_S3_CREDENTIALS } from '../../local/s3-server';
import { main as archiveCli, campaignOfItem } from '../../scripts/archive';
import { DynamoStore } from '../../store/dynamo-store';
import { type Engine, startEngine } from '../support/engines';
import { type LocalS3, startS3 } from '../support/s3';
import * as f from '../support/store-fixtures';

let engine: Engine;
let s3: LocalS3;
let dir: string;
let lines: string[];
const log = (line: string) => lines.push(line);
const saved = { ...process.env };
const photo = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4, 5]);

const seedId = 'dongxing-2017';
const other = 'other-2018';
const ours = f.survey({ campaignId: seedId, townId: 'dongxing', villageId: 'datian' });
const theirs = f.survey({ campaignId: other, townId: 'malu' });
const inspector = f.person({ displayName: '小黄' });

beforeAll(async () => {
  engine = await startEngine('DynamoDB Local', 'inspection-archive');
  s3 = await startS3();
  const store = new DynamoStore({ client: engine.client, tableName: engine.tableName });
  const campaign = await loadCampaignFile(seedId);
  await store.putCampaign(campaign);
  await store.putCampaign({ ...campaign, id: other });
  await store.putPerson(inspector);
  await store.createSurvey(ours);
  await store.createSurvey(theirs);
  await store.appendAudit(f.auditEvent({ subject: `survey:${ours.id}` }));
  await s3.files.put(`evidence/${seedId}/${ours.id}/AgAD1.jpg`, photo, 'image/jpeg');
  await s3.files.put(`evidence/${other}/${theirs.id}/AgAD2.jpg`, photo, 'image/jpeg');
  dir = await mkdtemp(join(tmpdir(), 'archive-'));
}, 120_000);

afterAll(async () => {
  await engine?.stop();
  await s3?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  lines = [];
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: engine.endpoint,
    TABLE_NAME: engine.tableName,
    EVIDENCE_BUCKET: s3.bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
  });
});

afterEach(() => {
  process.env = { ...saved };
});

describe('npm run archive, locally', () => {
  it("writes the campaign's items as JSON lines and its photos as files, nothing of another campaign", async () => {
    const out = join(dir, 'close');
    expect(await archiveCli(['--campaign', seedId, '--out', out], log)).toBe(0);
    expect(lines.at(-1)).toMatch(/已归档活动 dongxing-2017:\d+ 条记录、1 张照片/);

    const items = (await readFile(join(out, 'items.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const text = JSON.stringify(items);
    expect(items.find((i) => i.PK === `SURVEY#${ours.id}`)).toMatchObject({ campaignId: seedId });
    expect(items.find((i) => i.PK === `SURVEY#${theirs.id}`)).toBeUndefined();
    expect(items.find((i) => i.PK === `CAMPAIGN#${other}`)).toBeUndefined();
    // People and the audit trail belong to no one campaign: they are in every campaign's archive.
    expect(items.find((i) => i.PK === `PERSON#${inspector.id}` && i.SK === 'PERSON')).toMatchObject({
      displayName: '小黄',
    });
    expect(items.some((i) => String(i.PK).startsWith('AUDIT#'))).toBe(true);
    // The packed answers are readable in the archive, not Brotli bytes.
    expect(text).toContain('"h1_name":"黄志明"');
    // Each item keeps its expiry, so the archive says when the table forgets it.
    expect(items.every((i) => typeof i.expiresAt === 'number')).toBe(true);

    expect(await readFile(join(out, 'evidence', ours.id, 'AgAD1.jpg'))).toEqual(Buffer.from(photo));
    expect(await readdir(join(out, 'evidence'))).toEqual([ours.id]);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      campaign: { id: seedId, end: '2017-11-30T23:59' },
      table: engine.tableName,
      items: { file: 'items.jsonl', count: items.length },
      evidence: {
        folder: 'evidence/',
        objects: [{ key: `evidence/${seedId}/${ours.id}/AgAD1.jpg`, bytes: 9 }],
      },
      retention: { daysAfterEnd: 365, ttlAttribute: 'expiresAt' },
    });
    expect(manifest.items.byEntity.survey).toBe(1);
  });

  it('lists the photos without copying them with --no-files, and never writes into a used folder', async () => {
    const out = join(dir, 'list-only');
    expect(await archiveCli(['--out', out, '--no-files'], log)).toBe(0);
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.evidence).toEqual({
      folder: null,
      objects: [{ key: `evidence/${seedId}/${ours.id}/AgAD1.jpg` }],
    });
    expect(await readdir(out)).toEqual(['items.jsonl', 'manifest.json']);
    expect(await archiveCli(['--out', out], log)).toBe(2);
  });

  it('refuses --backup away from AWS, and says so in Chinese', async () => {
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await archiveCli(['--out', join(dir, 'no-backup'), '--backup'], log)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toContain('--backup 只适用于 AWS 上的数据表');
  });
});

describe('npm run archive -- --backup, on AWS', () => {
  it('makes an on-demand backup of the deployed table before the dump', async () => {
    const dynamo = mockClient(DynamoDBClient);
    const documents = mockClient(DynamoDBDocumentClient);
    const s3Mock = mockClient(S3Client);
    const events: string[] = [];
    dynamo.on(DescribeTableCommand).resolves({ Table: { TableName: 'InspectionBot-Table-1' } });
    dynamo.on(CreateBackupCommand).callsFake(() => {
      events.push('backup');
      return {
        BackupDetails: {
          BackupArn: 'arn:aws:dynamodb:ap-southeast-1:123456789012:table/InspectionBot-Table-1/backup/01',
          BackupName: 'x',
          BackupStatus: 'CREATING',
          BackupType: 'USER',
          BackupCreationDateTime: new Date(),
        },
      };
    });
    documents.on(ScanCommand).callsFake(() => {
      events.push('scan');
      return { Items: [{ PK: `SURVEY#${ours.id}`, SK: 'SURVEY', campaignId: seedId, entity: 'survey' }] };
    });
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: [] });
    try {
      Object.assign(process.env, {
        DYNAMODB_ENDPOINT: 'aws',
        AWS_REGION: 'ap-southeast-1',
        TABLE_NAME: 'InspectionBot-Table-1',
        EVIDENCE_BUCKET: 'inspectionbot-evidencebucket-1',
      });
      delete process.env.S3_ENDPOINT;
      const out = join(dir, 'aws');
      expect(await archiveCli(['--out', out, '--backup'], log)).toBe(0);
      const backup = dynamo.commandCalls(CreateBackupCommand)[0]?.args[0].input;
      expect(backup?.TableName).toBe('InspectionBot-Table-1');
      expect(backup?.BackupName).toMatch(/^dongxing-2017-close-\d{12}$/);
      // The backup is made before the table is read.
      expect(events).toEqual(['backup', 'scan']);
      const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
      expect(manifest.backup.arn).toMatch(/backup\/01$/);
      expect(manifest.items.count).toBe(1);
      expect(s3Mock.commandCalls(ListObjectsV2Command)[0]?.args[0].input).toMatchObject({
        Bucket: 'inspectionbot-evidencebucket-1',
        Prefix: `evidence/${seedId}/`,
      });
    } finally {
      dynamo.restore();
      documents.restore();
      s3Mock.restore();
    }
  });
});

describe('which campaign an item belongs to', () => {
  it('is named by its campaignId or its key; people, invites and the audit trail belong to none', () => {
    expect(campaignOfItem({ PK: 'SURVEY#s1', campaignId: 'a' })).toBe('a');
    expect(campaignOfItem({ PK: 'VILLAGE#a#datian', SK: 'HH#abc#x' })).toBe('a');
    expect(campaignOfItem({ PK: 'AGG#a#t1', SK: 'COUNTS#v' })).toBe('a');
    expect(campaignOfItem({ PK: 'PERSON#1', SK: 'REPORTED#a#p1' })).toBe('a');
    expect(campaignOfItem({ PK: 'PERSON#1', SK: 'PERSON' })).toBeUndefined();
    expect(campaignOfItem({ PK: 'INVITE#x', SK: 'INVITE' })).toBeUndefined();
    expect(campaignOfItem({ PK: 'AUDIT#survey:s1', SK: '2017#x' })).toBeUndefined();
  });
});
