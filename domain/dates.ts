// Dates and times as people write them (11月1日 18:00), for every message: in a module of their
// own so that a screen showing a time does not import the reminders' texts (domain/reminder-messages.ts
// re-exports them).

/** '2017-11-09T23:59' → '11月9日 23:59'. */
export function formatLocalTime(local: string): string {
  return `${formatLocalDate(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** An instant as people write it in the campaign's zone: '11月1日 18:00'. */
export function formatInstant(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  return `${Number(parts.month)}月${Number(parts.day)}日 ${parts.hour}:${parts.minute}`;
}

/** '2017-10-30' → '10月30日'. */
export function formatLocalDate(date: string): string {
  return `${Number(date.slice(5, 7))}月${Number(date.slice(8, 10))}日`;
}
