// What a Telegram update is, from the API Gateway event that carries it: a button by its kind
// (the callback data up to the first ':'), a photo, a location, or a typed text.

import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function updateKindOf(event: APIGatewayProxyEventV2): string {
  const update = JSON.parse(event.body ?? '{}') as {
    callback_query?: { data?: string };
    message?: { text?: string; photo?: unknown; location?: unknown };
  };
  const data = update.callback_query?.data;
  if (data !== undefined) return `button ${data.split(':')[0]}`;
  if (update.message?.photo) return 'photo';
  if (update.message?.location) return 'location';
  return 'typed text';
}
