// The DynamoDB client every adapter instance uses. Retries live here, in the SDK's standard retry
// strategy: throttling (ProvisionedThroughputExceeded, ThrottlingException, 5xx) is retried with
// exponential backoff and full jitter (the SDK's base is 1 s for throttling errors). "standard"
// rather than "adaptive": adaptive adds a client-side rate limiter whose state lives per Lambda
// container, which only delays the next request in a small on-demand table.

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoClientOptions {
  /** A local engine (DynamoDB Local, dynalite); absent = the AWS regional endpoint. */
  endpoint?: string;
  region?: string;
  /** Total attempts including the first (default 5: four retries). */
  maxAttempts?: number;
  /** Local engines accept any credentials; on AWS leave absent (the Lambda role is used). */
  credentials?: DynamoDBClientConfig['credentials'];
  /** Tests replace the HTTP layer to inject faults while keeping the retry middleware. */
  requestHandler?: DynamoDBClientConfig['requestHandler'];
}

export const DEFAULT_MAX_ATTEMPTS = 5;

export function createDynamoClient(options: DynamoClientOptions = {}): DynamoDBDocumentClient {
  const base = new DynamoDBClient({
    region: options.region ?? process.env.AWS_REGION ?? 'ap-southeast-1',
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
  });
  return DynamoDBDocumentClient.from(base, {
    // Optional fields of the aggregates are often undefined; DynamoDB has no "undefined".
    marshallOptions: { removeUndefinedValues: true },
  });
}

/** Dummy credentials for local engines (they check the signature format, not the secret). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
