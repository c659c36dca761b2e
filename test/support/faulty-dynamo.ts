// DynamoDB that throttles: an HTTP handler for the SDK client that answers ThrottlingException
// for a share of requests (they never reach the engine) and passes the rest to the real HTTP
// handler. The SDK's retry middleware stays in place, so the store meets throttling exactly as it
// would on AWS (store/client.ts: standard retries with backoff).

import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, LOCAL_CREDENTIALS } from '../../store/client';
import { LOCAL_REGION } from './engines';

type RequestHandler = NonNullable<DynamoDBClientConfig['requestHandler']>;
interface HttpHandlerLike {
  handle(request: unknown, options?: unknown): Promise<{ response: unknown }>;
  destroy?(): void;
}

export interface ThrottleStats {
  requests: number;
  throttled: number;
}

/** The SDK's own Node HTTP handler, taken from a client built as the app builds it. */
function realHttpHandler(endpoint: string): HttpHandlerLike {
  const probe = createDynamoClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  return probe.config.requestHandler as unknown as HttpHandlerLike;
}

export function throttlingHandler(
  endpoint: string,
  rate: number,
  random: () => number = Math.random,
): { handler: RequestHandler; stats: ThrottleStats } {
  const inner = realHttpHandler(endpoint);
  const stats: ThrottleStats = { requests: 0, throttled: 0 };
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    async handle(request: unknown, options?: unknown) {
      stats.requests++;
      if (random() < rate) {
        stats.throttled++;
        return {
          response: {
            statusCode: 400,
            reason: 'Bad Request',
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Buffer.from(
              JSON.stringify({
                __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
                message: 'Rate of requests exceeds the allowed throughput.',
              }),
            ),
          },
        };
      }
      return inner.handle(request, options);
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {
      inner.destroy?.();
    },
  };
  return { handler: handler as unknown as RequestHandler, stats };
}
