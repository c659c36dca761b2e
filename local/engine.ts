// The DynamoDB the local tools run against (dynamoTarget below): an embedded dynalite in this
// process that keeps its data under .data/dynamodb between runs; a local engine given by
// DYNAMODB_ENDPOINT (the one `npm start` or DynamoDB Local serves), where the table from
// store/table.ts is created when missing; or the deployed table on AWS, which must exist and is
// reached with the AWS credential chain. Callers get the same DynamoDB Store as on AWS.

import { mkdir, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import type { Store } from '../app/ports';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../store/client';
import { DynamoStore } from '../store/dynamo-store';
import { createTableInput, TABLE, timeToLiveInput } from '../store/table';

// Node 20 is past the SDK's support window; its warning would bury the tools' own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** Where the embedded engine keeps its data unless told otherwise. */
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../.data/dynamodb', import.meta.url));

/** Local engines accept any region; one fixed value keeps every tool on the same data. */
const LOCAL_REGION = 'us-east-1';

export interface OpenStoreOptions {
  /** The embedded engine's data directory (default .data/dynamodb); ignored with DYNAMODB_ENDPOINT. */
  dataDir?: string;
  /** Start from empty: delete the embedded engine's data first. Ignored with DYNAMODB_ENDPOINT. */
  fresh?: boolean;
}

export interface OpenedStore {
  store: Store;
  endpoint: string;
  tableName: string;
  /** True when this process runs the engine (and closing stops it). */
  embedded: boolean;
  /** The deployed table on AWS: the tools read and write it, never create or seed it. */
  aws?: boolean;
  /** The region of the table on AWS (resolved from the endpoint, the environment or the profile). */
  region?: string;
  close(): Promise<void>;
}

/** The engine could not be started or reached; `message` is Chinese and says what to do. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Where the tools' DynamoDB is. No DYNAMODB_ENDPOINT: the embedded engine. An endpoint on this
 * machine or the local network (DynamoDB Local, `npm start`'s): dummy credentials, and the table is
 * created when missing. An AWS endpoint (`https://dynamodb.<region>.amazonaws.com`, or just `aws`
 * for the region's default): the AWS default credential chain (profile, SSO, environment) — never
 * the dummy keys — and the table must exist: a mistyped name is an error naming it, not a new table.
 */
export type DynamoTarget =
  | { kind: 'embedded'; tableName: string }
  | { kind: 'local'; endpoint: string; tableName: string }
  | { kind: 'aws'; endpoint?: string; region?: string; tableName: string };

/** Hosts that are AWS: commercial, China and the newer api.aws names (VPC endpoints included). */
const AWS_HOST = /(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/i;

export function dynamoTarget(env: NodeJS.ProcessEnv = process.env): DynamoTarget {
  const configured = env.DYNAMODB_ENDPOINT?.trim();
  const named = env.TABLE_NAME?.trim();
  if (!configured) return { kind: 'embedded', tableName: named || TABLE.defaultName };
  const isAws = configured.toLowerCase() === 'aws' || AWS_HOST.test(hostOf(configured));
  if (!isAws) return { kind: 'local', endpoint: configured, tableName: named || TABLE.defaultName };
  if (!named)
    throw new EngineError(
      '连接 AWS 上的数据库时须设置 TABLE_NAME,即部署输出 TableName 的值(见 cdk-outputs.json)。' +
        '本工具不会在 AWS 上创建数据表。',
    );
  // The endpoint names its region; signing for another region would fail.
  const region =
    /^dynamodb(?:-fips)?\.([a-z0-9-]+)\./i.exec(hostOf(configured))?.[1] ??
    (env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim() || undefined);
  return {
    kind: 'aws',
    ...(configured.toLowerCase() === 'aws' ? {} : { endpoint: configured }),
    ...(region ? { region } : {}),
    tableName: named,
  };
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname;
  } catch {
    return '';
  }
}

/** The client settings of a target: dummy keys for local engines only; AWS gets its own chain. */
export function clientOptions(target: DynamoTarget, env: NodeJS.ProcessEnv = process.env) {
  if (target.kind === 'aws')
    return {
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      ...(target.region ? { region: target.region } : {}),
    };
  return { ...(target.kind === 'local' ? { endpoint: target.endpoint } : {}), ...clientAuth(env) };
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  const target = dynamoTarget();
  if (target.kind === 'aws') return openAws(target);
  if (target.kind === 'local') {
    await ensureTable(target.endpoint, target.tableName, false);
    return connect(target.endpoint, target.tableName, async () => {});
  }
  const { tableName } = target;

  // The same data as `npm start` (INSPECTION_DATA_DIR, default .data/): the CLIs and the demo share it.
  const shared = process.env.INSPECTION_DATA_DIR?.trim();
  const dataDir = opts.dataDir ?? (shared ? join(resolve(shared), 'dynamodb') : DEFAULT_DATA_DIR);
  if (opts.fresh) await rm(dataDir, { recursive: true, force: true });
  const server = await startDynalite(dataDir);
  const endpoint = endpointOf(server);
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  try {
    await ensureTable(endpoint, tableName, true);
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
  return { ...(await connect(endpoint, tableName, stop)), embedded: true };
}

/** The deployed table: it must exist (DescribeTable); nothing is ever created on AWS. */
async function openAws(target: Extract<DynamoTarget, { kind: 'aws' }>): Promise<OpenedStore> {
  const raw = new DynamoDBClient({ ...clientOptions(target), maxAttempts: 2 });
  let region: string;
  try {
    try {
      region = await raw.config.region();
    } catch (err) {
      throw new EngineError('未能确定 AWS 区域:请设置 AWS_REGION(例如 ap-southeast-1)。', { cause: err });
    }
    try {
      await raw.send(new DescribeTableCommand({ TableName: target.tableName }));
    } catch (err) {
      if (
        err instanceof ResourceNotFoundException ||
        (err as { name?: string }).name === 'ResourceNotFoundException'
      )
        throw new EngineError(
          `AWS 区域 ${region} 中没有名为「${target.tableName}」的数据表(table not found)。` +
            '请核对 TABLE_NAME 是否与部署输出 TableName 完全一致;本工具不会在 AWS 上创建数据表。',
          { cause: err },
        );
      throw new EngineError(
        `无法访问 AWS 区域 ${region} 的数据表「${target.tableName}」(${(err as Error).message})。` +
          '请检查 AWS 凭证(aws sts get-caller-identity)和该账号的权限。',
        { cause: err },
      );
    }
  } finally {
    raw.destroy();
  }
  const client = createDynamoClient({ ...clientOptions(target), region });
  return {
    store: new DynamoStore({ client, tableName: target.tableName }),
    endpoint: target.endpoint ?? `https://dynamodb.${region}.amazonaws.com`,
    tableName: target.tableName,
    embedded: false,
    aws: true,
    region,
    async close() {
      client.destroy();
    },
  };
}

async function connect(endpoint: string, tableName: string, stop: () => Promise<void>): Promise<OpenedStore> {
  const client = createDynamoClient({ endpoint, ...clientAuth() });
  return {
    store: new DynamoStore({ client, tableName }),
    endpoint,
    tableName,
    embedded: false,
    async close() {
      client.destroy();
      await stop();
    },
  };
}

/** Local engines accept any credentials; dummy ones keep the developer's real keys out of them. */
function clientAuth(env: NodeJS.ProcessEnv = process.env): {
  region: string;
  credentials: typeof LOCAL_CREDENTIALS;
} {
  return { region: env.AWS_REGION?.trim() || LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
}

async function startDynalite(dataDir: string): Promise<Server> {
  await assertDataDirFree(dataDir);
  // Tables become ACTIVE at once: nobody waits for a simulated provisioning delay.
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

/**
 * LevelDB allows one process per directory, and dynalite throws the lock failure from a callback
 * (an uncaught exception). Opening the directory once ourselves turns it into a clear error.
 */
async function assertDataDirFree(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  // dynalite's own LevelDB binding, resolved from dynalite so the versions always match.
  const requireFromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const { Level } = requireFromDynalite('level') as {
    Level: new (path: string) => { open(): Promise<void>; close(): Promise<void> };
  };
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (err) {
    const locked = (err as { cause?: { code?: string } }).cause?.code === 'LEVEL_LOCKED';
    throw new EngineError(
      locked
        ? `本地数据库 ${dataDir} 正被另一个进程使用(例如 npm start)。请先停止它,` +
            '或设置环境变量 DYNAMODB_ENDPOINT 连接正在运行的数据库。'
        : `无法打开本地数据库 ${dataDir}:${(err as Error).message}`,
      { cause: err },
    );
  }
  await db.close();
}

function endpointOf(server: Server): string {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return `http://127.0.0.1:${port}`;
}

async function ensureTable(endpoint: string, tableName: string, embedded: boolean): Promise<void> {
  // Few attempts: a wrong endpoint should fail in seconds, not after the store's retry budget.
  const client = new DynamoDBClient({ endpoint, maxAttempts: 2, ...clientAuth() });
  try {
    if (await tableIsActive(client, tableName)) return;
    try {
      await client.send(new CreateTableCommand(createTableInput(tableName)));
    } catch (err) {
      // Another process created it between our look and our create: fine.
      if (!(err instanceof ResourceInUseException)) throw err;
    }
    for (let i = 0; i < 200 && !(await tableIsActive(client, tableName)); i++) await sleep(50);
    try {
      await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
    } catch {
      // dynalite has no UpdateTimeToLive; TTL only tidies old items, nothing depends on it locally.
    }
  } catch (err) {
    throw new EngineError(unreachableMessage(endpoint, embedded, err), { cause: err });
  } finally {
    client.destroy();
  }
}

async function tableIsActive(client: DynamoDBClient, tableName: string): Promise<boolean> {
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return out.Table?.TableStatus === 'ACTIVE';
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

function unreachableMessage(endpoint: string, embedded: boolean, err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err);
  if (embedded) return `本地数据库未能就绪(${detail})。`;
  return `无法连接数据库 DYNAMODB_ENDPOINT=${endpoint}(${detail}),请确认数据库已启动、地址正确。`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
