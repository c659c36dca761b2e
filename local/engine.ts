// The DynamoDB the local tools run against: an endpoint given by environment (DYNAMODB_ENDPOINT,
// e.g. the one `npm start` or DynamoDB Local serves), or else an embedded dynalite in this process
// that keeps its data under .data/dynamodb between runs. Either way the table comes from
// store/table.ts and is created when missing, and callers get the same DynamoDB Store as on AWS.

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
  close(): Promise<void>;
}

/** The engine could not be started or reached; `message` is Chinese and says what to do. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<OpenedStore> {
  const tableName = process.env.TABLE_NAME?.trim() || TABLE.defaultName;
  const configured = process.env.DYNAMODB_ENDPOINT?.trim();
  if (configured) {
    await ensureTable(configured, tableName, false);
    return connect(configured, tableName, async () => {});
  }

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

/** Real credentials when the environment has them (a remote endpoint), dummy ones for local engines. */
function clientAuth(): { region: string; credentials?: typeof LOCAL_CREDENTIALS } {
  if (process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE)
    return { region: process.env.AWS_REGION ?? LOCAL_REGION };
  return { region: process.env.AWS_REGION ?? LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
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
