// Records every DynamoDB operation a client sends (one entry per command, retries not counted)
// and, when asked, makes each request return its consumed capacity. Used by tests that count
// round trips and by the bench.

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface RecordedCall {
  operation: string;
  /** Capacity units of the whole request (table and indexes), when ReturnConsumedCapacity was on. */
  capacity?: number;
  /** Read or write units where the engine reports them separately. */
  readUnits?: number;
  writeUnits?: number;
}

export interface CallRecorder {
  readonly calls: RecordedCall[];
  reset(): void;
  /** Take the middleware off the client again. */
  detach(): void;
}

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

let seq = 0;

export function recordCalls(client: DynamoDBDocumentClient, options: { consumedCapacity?: boolean } = {}) {
  const name = `callRecorder${++seq}`;
  const calls: RecordedCall[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      if (options.consumedCapacity) input.ReturnConsumedCapacity = 'TOTAL';
      const call: RecordedCall = { operation: String(context.commandName).replace(/Command$/, '') };
      calls.push(call);
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity;
      if (consumed) {
        call.capacity = consumed.CapacityUnits;
        if (consumed.ReadCapacityUnits !== undefined) call.readUnits = consumed.ReadCapacityUnits;
        if (consumed.WriteCapacityUnits !== undefined) call.writeUnits = consumed.WriteCapacityUnits;
      }
      return result;
    },
    { step: 'initialize', name },
  );
  const recorder: CallRecorder = {
    calls,
    reset: () => {
      calls.length = 0;
    },
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
  return recorder;
}
