// Audit events in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts: design decisions
// and access patterns): appended unconditionally (the same event twice lands on the same key), read
// by subject from the table and by UTC day from GSI1.

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/model';
import { decode, TableModule } from './dynamo-base';
import { keys } from './keys';

export class Audit extends TableModule {
  async appendAudit(event: AuditEvent): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...keys.audit(event), ...keys.auditIndex(event), entity: 'audit', version: 1, ...event },
      }),
    );
  }

  async auditOf(subject: string): Promise<AuditEvent[]> {
    const items = await this.items.query({ pk: keys.auditSubject(subject) });
    return items.map((i) => decode<AuditEvent>(i, ['version']));
  }

  async auditOfDay(day: string): Promise<AuditEvent[]> {
    const items = await this.items.query({ index: 'GSI1', pk: keys.auditDay(day) });
    return items.map((i) => decode<AuditEvent>(i, ['version']));
  }
}
