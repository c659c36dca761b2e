// Reminder deliveries in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts: design
// decisions and access patterns): one item per reminder and recipient, claimed with one
// conditional UpdateItem so that two senders never both hold one delivery (a lapsed lease may be
// taken over), and marked after the send.

import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type DeliveryUpdate, type Instant, NotFoundError, type ReminderDelivery } from '../domain/model';
import { decode, isConditionalFailure, TableModule } from './dynamo-base';
import { keys } from './keys';

export class Reminders extends TableModule {
  async claimDelivery(
    reminderId: string,
    recipientId: string,
    lease?: { now: Instant; until: Instant },
  ): Promise<boolean> {
    try {
      // One UpdateItem: create it, or take over a pending claim whose lease ended (its sender was
      // cut off between claiming and marking), never one that was sent, failed or is still leased.
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.delivery(reminderId, recipientId),
          UpdateExpression:
            'SET #entity = :entity, #reminderId = :reminderId, #recipientId = :recipientId, ' +
            '#status = :pending, #attempts = if_not_exists(#attempts, :zero)' +
            (lease ? ', #leaseUntil = :until' : '') +
            ' ADD #version :one',
          ConditionExpression: lease
            ? 'attribute_not_exists(PK) OR (#status = :pending AND ' +
              '(attribute_not_exists(#leaseUntil) OR #leaseUntil < :now))'
            : 'attribute_not_exists(PK)',
          ExpressionAttributeNames: {
            '#entity': 'entity',
            '#reminderId': 'reminderId',
            '#recipientId': 'recipientId',
            '#status': 'status',
            '#attempts': 'attempts',
            '#version': 'version',
            ...(lease ? { '#leaseUntil': 'leaseUntil' } : {}),
          },
          ExpressionAttributeValues: {
            ':entity': 'delivery',
            ':reminderId': reminderId,
            ':recipientId': recipientId,
            ':pending': 'pending',
            ':zero': 0,
            ':one': 1,
            ...(lease ? { ':until': lease.until, ':now': lease.now } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalFailure(err)) return false;
      throw err;
    }
  }

  async markDelivery(
    reminderId: string,
    recipientId: string,
    update: DeliveryUpdate,
  ): Promise<ReminderDelivery> {
    const key = keys.delivery(reminderId, recipientId);
    const names: Record<string, string> = { '#status': 'status', '#version': 'version' };
    const values: Record<string, unknown> = { ':status': update.status, ':one': 1 };
    const sets = ['#status = :status'];
    const adds = ['#version :one'];
    for (const field of ['sentAt', 'ackAt', 'lastError'] as const) {
      const value = update[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    if (update.attempted) {
      names['#attempts'] = 'attempts';
      adds.push('#attempts :one');
    }
    const out = await this.items.conditional(
      () =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        ),
      key,
      new NotFoundError('delivery', `${reminderId}/${recipientId}`),
    );
    return decode<ReminderDelivery>(out.Attributes ?? {}, ['version']);
  }

  async deliveriesOfReminder(reminderId: string): Promise<ReminderDelivery[]> {
    const items = await this.items.query({ pk: keys.reminder(reminderId), skPrefix: 'TO#' });
    return items.map((i) => decode<ReminderDelivery>(i, ['version']));
  }
}
