// Records every DynamoDB operation a client sends (one entry per command, retries not counted)
// and, when asked, makes each request return its consumed capacity. Used by tests that count
// round trips and by the bench.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface RecordedCall {
  operation: string;
  /** Capacity units of the whole request (table and indexes), when consumed capacity was asked for. */
  capacity?: number;
  /** With 'INDEXES': the table's part and the sum over global secondary indexes. */
  tableUnits?: number;
  indexUnits?: number;
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  reset(): void;
  /** Take the middleware off the client again. */
  detach(): void;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

let seq = 0;

/** `consumedCapacity` sets ReturnConsumedCapacity on every request ('INDEXES' = TOTAL plus the breakdown). */
export function recordCalls(
  client: DynamoDBDocumentClient,
  options: { consumedCapacity?: 'TOTAL' | 'INDEXES' } = {},
): CallRecorder {
  const name = `callRecorder${++seq}`;
  const calls: RecordedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (options.consumedCapacity) input.ReturnConsumedCapacity = options.consumedCapacity;
      const call: RecordedCall = { operation: String(context.commandName).replace(/Command$/, '') };
      calls.push(call);
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
      if (consumed) {
        call.capacity = consumed.CapacityUnits;
        if (consumed.Table) call.tableUnits = consumed.Table.CapacityUnits;
        if (consumed.GlobalSecondaryIndexes) {
          call.indexUnits = Object.values(consumed.GlobalSecondaryIndexes).reduce(
            (sum, i) => sum + (i.CapacityUnits ?? 0),
            0,
          );
        }
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return {
    calls,
    reset: () => {
      calls.length = 0;
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
