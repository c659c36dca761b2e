// One Lambda construct with the project's defaults, and helpers that bind a function to the table
// and the bot secret: each sets the environment variable and grants exactly what the function's
// code calls, in one place, so a function can never get an environment without the permission
// (or a permission it was not given the environment for).

import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, type Duration, type ILocalBundling, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE } from '../store/table';
import { bundleFunction, EXEC_WRAPPER_FILE, entryPath } from './bundle';

export { entryPath };

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * CDK's local bundling: esbuild's API with infra/bundle.ts's options, in this process (no Docker).
 * The entry is a field so that the asset cache tells the four functions apart (CDK keys it on the
 * bundling options' JSON).
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}
  tryBundle(outputDir: string): boolean {
    bundleFunction(this.entry, outputDir);
    return true;
  }
}

export interface InspectionFunctionProps {
  /** File name under functions/ without extension, e.g. `telegram-webhook`. */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize?: number;
  logRetention?: RetentionDays;
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * A Lambda function with the shared defaults: Node 24 on ARM64, an ESM bundle split into chunks
 * with source map files beside them (infra/bundle.ts), its own log group with a retention,
 * powertools settings, and an explicit role that may only write to that log group (no
 * AWSLambdaBasicExecutionRole: it allows every log group).
 *
 * Not NodejsFunction: it runs esbuild with a single --outfile, so no code splitting, and what an
 * answer never needs (exceljs, the S3 client) would be parsed at every cold start.
 */
export class InspectionFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: InspectionFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
      // Logs carry ids only; they go with the stack (the table is what is retained).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.entry}: its own log group, plus what bindTable/bindSecret add`,
    });
    this.role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.fn = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(ROOT, {
        // Hashed by the bundle written, like NodejsFunction: an unchanged bundle is not redeployed.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new EsbuildBundling(props.entry),
          // Required by the type, never pulled: local bundling always succeeds or throws.
          image: DockerImage.fromRegistry('dummy'),
        },
      }),
      handler: 'index.handler', // index.mjs: infra/bundle.ts ENTRY_FILE
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        // Node started with a small young generation by the asset's exec wrapper (infra/bundle.ts:
        // NODE_OPTIONS would lose to the bootstrap's own options), and no --enable-source-maps:
        // with it, Node reads and parses the source map of every file it loads (measured: the cold
        // import nearly twice as slow). The maps stay beside the code in the asset (index.mjs.map,
        // chunks/*.mjs.map, islands/*.mjs.map) to read a logged stack trace after the fact: scripts/map-trace.ts, see
        // README "Reading a stack trace".
        AWS_LAMBDA_EXEC_WRAPPER: `/var/task/${EXEC_WRAPPER_FILE}`,
        POWERTOOLS_SERVICE_NAME: 'inspection-bot',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      },
    });
  }
}

/**
 * What a function may do to the table. The store (store/dynamo-store.ts) only ever calls GetItem
 * BatchGetItem and Query to read (the people queries read person items in one batch) and PutItem
 * and UpdateItem to write: no Scan, no DeleteItem, no batch writes or transactions, so none of
 * those is ever granted.
 * - `none`: read only.
 * - `put`: new items only (snapshots, audit events, invites): PutItem.
 * - `put-update`: also conditional updates of existing items (sessions, deliveries): UpdateItem.
 */
export interface TableBinding {
  write: 'none' | 'put' | 'put-update';
}

export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;
export const TABLE_WRITE_ACTIONS = {
  none: [],
  put: ['dynamodb:PutItem'],
  'put-update': ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
} as const satisfies Record<TableBinding['write'], readonly string[]>;

/** Sets TABLE_NAME and grants the table's read actions plus the chosen writes. */
export function bindTable(target: InspectionFunction, table: ITable, { write }: TableBinding): void {
  target.fn.addEnvironment('TABLE_NAME', table.tableName);
  // The indexes by name rather than `index/*`: no wildcard, and a new index is a deliberate grant.
  const indexArns = TABLE.indexes.map((i) => `${table.tableArn}/index/${i.name}`);
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'ReadTable',
      actions: [...TABLE_READ_ACTIONS],
      resources: [table.tableArn, ...indexArns],
    }),
  );
  const writes = TABLE_WRITE_ACTIONS[write];
  if (writes.length > 0) {
    target.role.addToPolicy(
      new PolicyStatement({ sid: 'WriteTable', actions: [...writes], resources: [table.tableArn] }),
    );
  }
  // The table uses the AWS-managed key (aws/dynamodb): no kms grant is needed.
}

/** Sets BOT_SECRET_ARN (the ARN only; the value is read at run time, again every 5 minutes) and grants reading it. */
export function bindBotSecret(target: InspectionFunction, secret: ISecret): void {
  target.fn.addEnvironment('BOT_SECRET_ARN', secret.secretArn);
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'ReadBotSecret',
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  );
}

/** The prefix every evidence object is under (app/evidence.ts evidenceKey). */
export const EVIDENCE_PREFIX = 'evidence/';

/**
 * Sets EVIDENCE_BUCKET and grants putting and getting objects under evidence/ only: no listing, no
 * deleting, no other prefix. The bucket's SSE-S3 encryption needs no KMS grant.
 */
/** Where the chat's large exports go (functions/summary-files.ts); they expire within a day. */
export const EXPORTS_PREFIX = 'exports/';

/**
 * The chat's exports: streamed up in parts (PutObject covers the multipart calls; an upload that
 * fails is aborted), read back to send through Telegram, or linked to (a presigned GET, signed
 * with this role, so it needs GetObject too).
 */
export function bindExports(target: InspectionFunction, bucket: IBucket): void {
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'ExportObjects',
      actions: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload'],
      resources: [bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    }),
  );
}

/**
 * The office API's part of exports/: it records its workbook jobs (PutObject under
 * exports/<campaign>/jobs/ only) and reads them back, and signs links to the files the summaries
 * function built under exports/ (GetObject). It uploads no workbook itself.
 */
export function bindExportJobs(target: InspectionFunction, bucket: IBucket): void {
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'ReadExports',
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${EXPORTS_PREFIX}*`)],
    }),
  );
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'RecordExportJobs',
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects(`${EXPORTS_PREFIX}*/jobs/*`)],
    }),
  );
}

export function bindEvidence(target: InspectionFunction, bucket: IBucket): void {
  target.fn.addEnvironment('EVIDENCE_BUCKET', bucket.bucketName);
  target.role.addToPolicy(
    new PolicyStatement({
      sid: 'EvidenceObjects',
      actions: ['s3:PutObject', 's3:GetObject'],
      resources: [bucket.arnForObjects(`${EVIDENCE_PREFIX}*`)],
    }),
  );
}
