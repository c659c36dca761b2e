// Summary snapshots in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts: design
// decisions and access patterns). A module of its own, not beside reminders: a snapshot is a read
// model (app/summaries.ts builds it), keyed by campaign, scope and build time, only ever added, and
// the newest is read with one backwards Query of Limit 1; it shares no item or condition with
// anything else.

import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { SummarySnapshot } from '../domain/model';
import { decode, TableModule } from './dynamo-base';
import { keys } from './keys';
import { TABLE } from './table';

export class Snapshots extends TableModule {
  async putSnapshot(snapshot: SummarySnapshot): Promise<void> {
    const key = keys.snapshot(snapshot.campaignId, snapshot.scope, snapshot.builtAt);
    // Unconditional: rebuilding at the same instant yields the same snapshot.
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...key, entity: 'snapshot', version: 1, ...snapshot },
      }),
    );
  }

  async latestSnapshot(campaignId: string, scope: string): Promise<SummarySnapshot | undefined> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
        ExpressionAttributeValues: { ':pk': keys.snapshots(campaignId, scope), ':sk': 'BUILT#' },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? decode<SummarySnapshot>(item, ['version']) : undefined;
  }
}
