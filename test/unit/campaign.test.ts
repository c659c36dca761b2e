import { describe, expect, it } from 'vitest';
import seed from '../../campaigns/dongxing-2017.json';
import {
  allVillages,
  type Campaign,
  campaignEndInstant,
  deadlineInstant,
  evidenceRetentionDays,
  formContextFor,
  groupForTown,
  retentionExpiry,
  townById,
  townOfVillage,
  villageById,
} from '../../domain/campaign';
import { CampaignConfigError, parseCampaign } from '../../domain/campaign-schema';

type Seed = typeof seed;

/** A copy of the seed with one thing broken. */
function variant(breakIt: (c: Seed) => void): Seed {
  const c = structuredClone(seed);
  breakIt(c);
  return c;
}

/** The error message parseCampaign throws for `json`. */
function problemsOf(json: unknown): string {
  try {
    parseCampaign(json);
  } catch (e) {
    expect(e).toBeInstanceOf(CampaignConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the campaign to be rejected');
}

describe('the dongxing-2017 seed campaign', () => {
  const c: Campaign = parseCampaign(seed);

  it('loads without problems', () => {
    expect(c.id).toBe('dongxing-2017');
    expect(c.timeZone).toBe('Asia/Shanghai');
  });

  it('has 3 towns with 6, 10 and 7 villages, 23 in all, every one a non-poor village', () => {
    expect(c.towns.map((t) => [t.name, t.villages.length])).toEqual([
      ['东兴镇', 6],
      ['江平镇', 10],
      ['马路镇', 7],
    ]);
    const villages = allVillages(c);
    expect(villages).toHaveLength(23);
    expect(new Set(villages.map((v) => v.id)).size).toBe(23);
    expect(villages.every((v) => v.type === 'non_poor')).toBe(true);
  });

  it('has 3 groups, each checking its own town with 2 staff from a different town', () => {
    expect(c.groups).toHaveLength(3);
    for (const town of c.towns) {
      const g = groupForTown(c, town.id);
      expect(g, town.id).toBeDefined();
      expect(g?.crossTownStaff?.count).toBe(2);
      expect(g?.crossTownStaff?.fromTownId).not.toBe(town.id);
      expect(townById(c, g?.crossTownStaff?.fromTownId ?? '')).toBeDefined();
    }
    expect(groupForTown(c, 'dongxing')?.leader).toEqual({ title: '市委副书记', name: '邓海桑' });
    expect(groupForTown(c, 'jiangping')?.crossTownStaff?.fromTownId).toBe('malu');
  });

  it('samples 10 households per village with quotas 2, 2, 3, 2, 1', () => {
    expect(c.strata.map((s) => s.quota)).toEqual([2, 2, 3, 2, 1]);
    expect(c.strata.reduce((sum, s) => sum + s.quota, 0)).toBe(10);
  });

  it('uses the 3,335 yuan poverty line and the September income cut-off for the forms', () => {
    expect(formContextFor(c)).toEqual({ povertyLine: 3335, year: 2017, incomeCutoff: '2017年9月底' });
  });

  it('finds a village, its town and the group that checks it', () => {
    expect(villageById(c, 'niueling')?.name).toBe('牛轭岭村');
    expect(townOfVillage(c, 'wanwei')?.id).toBe('jiangping');
    expect(groupForTown(c, townOfVillage(c, 'chonglan')?.id ?? '')?.id).toBe('g3');
    expect(villageById(c, 'nowhere')).toBeUndefined();
  });

  it('has the six deadlines of the plan, training in the city hall meeting room', () => {
    expect(c.deadlines.map((d) => d.id)).toEqual([
      'self_check',
      'staff_list',
      'training',
      'field',
      'group_report',
      'rectification',
    ]);
    const training = c.deadlines.find((d) => d.id === 'training');
    expect(training?.location).toBe('东兴市政府二楼大会议室');
    expect(training?.audiences).toEqual(['leader', 'liaison', 'inspector']);
  });
});

describe('deadlineInstant', () => {
  it('reads 10-31 09:00 in Shanghai as 01:00 UTC', () => {
    const c = parseCampaign(seed);
    expect(deadlineInstant(c, '2017-10-31T09:00').toISOString()).toBe('2017-10-31T01:00:00.000Z');
  });

  it('follows daylight saving time in New York', () => {
    const ny = { timeZone: 'America/New_York' };
    expect(deadlineInstant(ny, '2017-07-01T09:00').toISOString()).toBe('2017-07-01T13:00:00.000Z');
    expect(deadlineInstant(ny, '2017-12-01T09:00').toISOString()).toBe('2017-12-01T14:00:00.000Z');
  });

  it('moves a time skipped by the spring change forward, and takes the earlier of a repeated time', () => {
    const ny = { timeZone: 'America/New_York' };
    // 2017-03-12 02:30 does not exist in New York; it becomes 03:30 EDT.
    expect(deadlineInstant(ny, '2017-03-12T02:30').toISOString()).toBe('2017-03-12T07:30:00.000Z');
    // 2017-11-05 01:30 happens twice; the first is EDT.
    expect(deadlineInstant(ny, '2017-11-05T01:30').toISOString()).toBe('2017-11-05T05:30:00.000Z');
  });

  it('rejects a malformed local time', () => {
    expect(() => deadlineInstant({ timeZone: 'Asia/Shanghai' }, '2017-10-31 9:00')).toThrow(
      /YYYY-MM-DDTHH:mm/,
    );
  });
});

describe('parseCampaign on a broken campaign', () => {
  it('rejects an id too long for the buttons that carry it, when loading, naming where', () => {
    const msg = problemsOf(
      variant((c) => {
        c.towns[1]!.villages[3]!.id = 'a-village-id-of-thirty-chars-x';
      }),
    );
    expect(msg).toContain('towns[1].villages[3].id');
    expect(msg).toContain('must be <= 24, got "a-village-id-of-thirty-chars-x"');
  });

  it('rejects a missing povertyLine, naming the field', () => {
    const msg = problemsOf(variant((c) => delete (c as Partial<Seed>).povertyLine));
    expect(msg).toContain('povertyLine: required but missing');
  });

  it('rejects a village with an unknown type, listing the allowed types', () => {
    const msg = problemsOf(
      variant((c) => {
        c.towns[1]!.villages[3]!.type = 'poor_village';
      }),
    );
    expect(msg).toContain(
      'towns[1].villages[3].type: expected one of exited_poor|planned_exit_poor|poor|non_poor, got "poor_village"',
    );
  });

  it('rejects a village id used twice, even across towns', () => {
    const msg = problemsOf(
      variant((c) => {
        c.towns[2]!.villages[0]!.id = 'datian';
      }),
    );
    expect(msg).toContain(
      'towns[2].villages[0].id: duplicate village id, already used at towns[0].villages[0], got "datian"',
    );
  });

  it('rejects a group whose town does not exist, naming the field', () => {
    const msg = problemsOf(
      variant((c) => {
        c.groups[1]!.townId = 'nowhere';
      }),
    );
    expect(msg).toContain(
      'groups[1].townId: no such town (known towns: dongxing|jiangping|malu), got "nowhere"',
    );
    // The town the group should have checked is now unchecked.
    expect(msg).toContain('towns[1].id: no group checks this town');
  });

  it('rejects cross-town staff from the very town the group checks', () => {
    const msg = problemsOf(
      variant((c) => {
        c.groups[0]!.crossTownStaff.fromTownId = 'dongxing';
      }),
    );
    expect(msg).toContain(
      'groups[0].crossTownStaff.fromTownId: cross-town staff must come from a town other than',
    );
  });

  it('rejects a negative quota', () => {
    const msg = problemsOf(
      variant((c) => {
        c.strata[2]!.quota = -1;
      }),
    );
    expect(msg).toContain('strata[2].quota: must be >= 0, got -1');
  });

  it('rejects a fractional quota', () => {
    const msg = problemsOf(
      variant((c) => {
        c.strata[0]!.quota = 1.5;
      }),
    );
    expect(msg).toContain('strata[0].quota: expected a whole number, got 1.5');
  });

  it('rejects a deadline whose start is after its due', () => {
    const msg = problemsOf(
      variant((c) => {
        c.deadlines[3]!.start = '2017-11-05T00:00';
      }),
    );
    expect(msg).toContain(
      'deadlines[3].start: must be before due (2017-11-03T23:59), got "2017-11-05T00:00"',
    );
  });

  it('rejects a deadline with a badly written time', () => {
    const msg = problemsOf(
      variant((c) => {
        c.deadlines[1]!.due = '2017-10-31 9:00';
      }),
    );
    expect(msg).toContain('deadlines[1].due: expected a local time YYYY-MM-DDTHH:mm');
    expect(msg).toContain('got "2017-10-31 9:00"');
  });

  it('rejects a date that does not exist', () => {
    const msg = problemsOf(
      variant((c) => {
        c.deadlines[0]!.due = '2017-02-30T09:00';
      }),
    );
    expect(msg).toContain('deadlines[0].due: expected a local time');
  });

  it('rejects a badly written reminder time and a repeated lead time', () => {
    const msg = problemsOf(
      variant((c) => {
        c.reminders.leadTimes[0]!.at = '8:30';
        c.reminders.leadTimes[2]!.days = 1;
      }),
    );
    expect(msg).toContain(
      'reminders.leadTimes[0].at: expected a time of day HH:mm (e.g. "08:30"), got "8:30"',
    );
    expect(msg).toContain('reminders.leadTimes[2]: lead time 1 day(s) at 08:30 is listed twice');
  });

  it('rejects a duplicate deadline id and an unknown audience role', () => {
    const msg = problemsOf(
      variant((c) => {
        c.deadlines[5]!.id = 'field';
        c.deadlines[0]!.audiences = ['towns'];
      }),
    );
    expect(msg).toContain(
      'deadlines[5].id: duplicate deadline id, already used at deadlines[3], got "field"',
    );
    expect(msg).toContain(
      'deadlines[0].audiences[0]: expected one of office|leader|liaison|inspector|town_contact',
    );
  });

  it('rejects an unknown time zone and a misspelt field', () => {
    const msg = problemsOf({ ...seed, timeZone: 'Asia/Beijing', povertyLne: 3335 });
    expect(msg).toContain('timeZone: expected an IANA time zone (e.g. "Asia/Shanghai"), got "Asia/Beijing"');
    expect(msg).toContain('(root): unknown field(s) "povertyLne"');
  });

  it('lists every problem at once, including cross references next to shape errors', () => {
    const msg = problemsOf(
      variant((c) => {
        delete (c as Partial<Seed>).povertyLine;
        c.groups[2]!.townId = 'nowhere';
      }),
    );
    expect(msg).toMatch(/^活动配置有误/);
    expect(msg).toContain('povertyLine: required but missing');
    expect(msg).toContain('groups[2].townId: no such town');
  });
});

describe('retention of personal data after the campaign', () => {
  const c = parseCampaign(seed);
  const day = 86_400;
  const end = Date.parse('2017-11-30T15:59:00Z') / 1000; // 23:59 in Asia/Shanghai

  it('is a year after campaignEnd in the seed, and a year when a campaign file does not say', () => {
    expect(c.retention).toEqual({ daysAfterEnd: 365 });
    expect(parseCampaign(variant((x) => delete (x as Partial<Seed>).retention)).retention).toEqual({
      daysAfterEnd: 365,
    });
    expect(campaignEndInstant(c)?.getTime()).toBe(end * 1000);
    expect(retentionExpiry(c, new Date('2017-11-01T00:00:00Z'))).toBe(end + 365 * day);
  });

  it('counts from the write for what is written after the end (nothing is deleted the moment it is stored)', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(retentionExpiry(c, now)).toBe(now.getTime() / 1000 + 365 * day);
  });

  it('ends with the last deadline when there is no campaignEnd, and never without either', () => {
    const open = parseCampaign(variant((x) => delete (x as Partial<Seed>).campaignEnd));
    const last =
      open.deadlines
        .map((d) => d.due)
        .sort()
        .at(-1) ?? '';
    expect(campaignEndInstant(open)).toEqual(deadlineInstant(open, last));
    const endless = parseCampaign(
      variant((x) => {
        delete (x as Partial<Seed>).campaignEnd;
        x.deadlines = [];
      }),
    );
    expect(retentionExpiry(endless, new Date())).toBeUndefined();
  });

  it('keeps photos the retention plus the span from the first deadline, so none goes before its record', () => {
    const first = c.deadlines.map((d) => d.due).sort()[0] ?? '';
    const span = Math.ceil((end * 1000 - deadlineInstant(c, first).getTime()) / (day * 1000));
    expect(span).toBeGreaterThan(0);
    expect(evidenceRetentionDays(c)).toBe(365 + span);
  });

  it('refuses less than a month or more than ten years, and a fraction of a day', () => {
    for (const days of [7, 3651, 100.5])
      expect(problemsOf(variant((x) => Object.assign(x, { retention: { daysAfterEnd: days } })))).toMatch(
        /retention\.daysAfterEnd/,
      );
    expect(problemsOf(variant((x) => Object.assign(x, { retention: { days: 30 } })))).toMatch(
      /unknown field/,
    );
  });
});
