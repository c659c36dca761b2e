// Household lists and samples in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts:
// design decisions and access patterns). One module because one item holds both: a village's
// state item (SK SAMPLE) carries the info of the list in force and, once drawn, the sample with
// its picks, so putting a list, drawing, replacing and marking a pick all condition on the same
// item. The households themselves are in chunk items beside it (sk^ HH#<fingerprint>#).

import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StratumId } from '../domain/forms/types';
import type { Household } from '../domain/household-list';
import {
  AlreadyExistsError,
  ConflictError,
  countByStratum,
  type HouseholdList,
  type HouseholdListInfo,
  type Instant,
  NotFoundError,
  PickReplacedError,
  type Sample,
  SampleLockedError,
} from '../domain/model';
import { decode, type Item, isConditionalFailure, TableModule } from './dynamo-base';
import { keys } from './keys';

/**
 * Households per chunk item. The largest valid row (32-character id, 20-character name, team and a
 * 100-character note, all 3-byte characters) is about 600 bytes: 500 of them stay under 300 KB.
 */
const CHUNK_HOUSEHOLDS = 500;
const CHUNK_WRITES_AT_ONCE = 8;
/** A list waiting for its uploader's confirmation vanishes after this long if never confirmed. */
const STAGED_LIST_SECONDS = 3 * 24 * 3600;

export class Samples extends TableModule {
  async stageHouseholdList(list: HouseholdList): Promise<void> {
    await this.#putChunks(list, Math.floor(Date.parse(list.uploadedAt) / 1000) + STAGED_LIST_SECONDS);
  }

  async putHouseholdList(list: HouseholdList, opts: { replacing?: string } = {}): Promise<void> {
    const { households: _households, ...info } = list;
    await this.#putChunks(list);
    const key = keys.sample(list.campaignId, list.villageId);
    const names: Record<string, string> = { '#list': 'list', '#fp': 'fingerprint', '#seed': 'seed' };
    const values: Record<string, unknown> = { ':info': info, ':entity': 'village' };
    let condition = 'attribute_not_exists(#seed)';
    if (opts.replacing === undefined) {
      values[':new'] = list.fingerprint;
      // No list yet, or this very list already (a retried upload).
      condition += ' AND (attribute_not_exists(#list) OR #list.#fp = :new)';
    } else {
      values[':old'] = opts.replacing;
      condition += ' AND #list.#fp = :old';
    }
    await this.items.updateIf(
      key,
      {
        update: 'SET #list = :info, entity = :entity',
        condition: condition,
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new SampleLockedError(list.villageId)
          : new ConflictError('householdList', `${list.campaignId}/${list.villageId}`, 0),
    );
  }

  async getHouseholdListInfo(campaignId: string, villageId: string): Promise<HouseholdListInfo | undefined> {
    const item = await this.items.get(keys.sample(campaignId, villageId));
    return item?.list ? (item.list as HouseholdListInfo) : undefined;
  }

  async getVillageState(campaignId: string, villageId: string) {
    const item = await this.items.get(keys.sample(campaignId, villageId));
    return {
      ...(item?.list ? { list: item.list as HouseholdListInfo } : {}),
      ...(item?.seed !== undefined ? { sample: decodeSample(item) } : {}),
    };
  }

  async getHouseholdList(
    campaignId: string,
    villageId: string,
    fingerprint?: string,
  ): Promise<HouseholdList | undefined> {
    const info = await this.getHouseholdListInfo(campaignId, villageId);
    const fp = fingerprint ?? info?.fingerprint;
    if (fp === undefined) return undefined;
    const chunks = await this.items.query({
      pk: keys.village(campaignId, villageId),
      skPrefix: keys.householdChunks(fp),
    });
    const mine = chunks.filter((c) => c.fingerprint === fp);
    if (mine.length === 0) return undefined;
    const households = mine.flatMap(decodeChunk);
    const base: HouseholdListInfo =
      info && info.fingerprint === fp
        ? info
        : {
            campaignId,
            villageId,
            fingerprint: fp,
            count: households.length,
            byStratum: countByStratum(households),
            uploadedBy: String(mine[0]?.uploadedBy ?? ''),
            uploadedAt: String(mine[0]?.uploadedAt ?? ''),
            fileName: String(mine[0]?.fileName ?? ''),
          };
    return { ...base, households };
  }

  async householdsOfStratum(
    campaignId: string,
    villageId: string,
    fingerprint: string,
    stratum: StratumId,
  ): Promise<Household[]> {
    const chunks = await this.items.query({
      pk: keys.village(campaignId, villageId),
      skPrefix: keys.householdChunks(fingerprint, stratum),
    });
    return chunks.filter((c) => c.fingerprint === fingerprint).flatMap(decodeChunk);
  }

  /** The households in chunks of one stratum each, every chunk well under DynamoDB's 400 KB. */
  async #putChunks(list: HouseholdList, expiresAt?: number): Promise<void> {
    const byStratum = new Map<StratumId, Household[]>();
    for (const h of list.households) byStratum.set(h.stratum, [...(byStratum.get(h.stratum) ?? []), h]);
    const items: Item[] = [];
    for (const [stratum, households] of byStratum) {
      for (let i = 0; i * CHUNK_HOUSEHOLDS < households.length; i++) {
        const part = households.slice(i * CHUNK_HOUSEHOLDS, (i + 1) * CHUNK_HOUSEHOLDS);
        items.push({
          ...keys.householdChunk(list.campaignId, list.villageId, list.fingerprint, stratum, i),
          entity: 'householdChunk',
          version: 1,
          fingerprint: list.fingerprint,
          stratum,
          uploadedBy: list.uploadedBy,
          uploadedAt: list.uploadedAt,
          fileName: list.fileName,
          // Arrays, not objects: the names of the fields are not repeated 500 times.
          rows: part.map(encodeHousehold),
          ...(expiresAt !== undefined ? { expiresAt } : {}),
        });
      }
    }
    for (let i = 0; i < items.length; i += CHUNK_WRITES_AT_ONCE) {
      await Promise.all(
        items
          .slice(i, i + CHUNK_WRITES_AT_ONCE)
          .map((Item) => this.client.send(new PutCommand({ TableName: this.table, Item }))),
      );
    }
  }

  async putSample(sample: Sample): Promise<Sample> {
    const stored: Sample = { ...sample, version: 1 };
    const key = keys.sample(sample.campaignId, sample.villageId);
    const { sets, names, values } = sampleSets(stored);
    names['#list'] = 'list';
    names['#fp'] = 'fingerprint';
    names['#seed'] = 'seed';
    values[':fp'] = sample.fingerprint;
    await this.items.updateIf(
      key,
      // Drawn once, and only from the list in force: an upload that won the race is seen here.
      {
        update: `SET ${sets.join(', ')}`,
        condition: 'attribute_not_exists(#seed) AND #list.#fp = :fp',
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new AlreadyExistsError('sample', sampleId(sample))
          : new ConflictError('householdList', sampleId(sample), 0),
    );
    return stored;
  }

  async getSample(campaignId: string, villageId: string): Promise<Sample | undefined> {
    const item = await this.items.get(keys.sample(campaignId, villageId));
    return item?.seed !== undefined ? decodeSample(item) : undefined;
  }

  async saveSample(sample: Sample, expectVersion: number): Promise<Sample> {
    const stored: Sample = { ...sample, version: expectVersion + 1 };
    const key = keys.sample(sample.campaignId, sample.villageId);
    const { sets, names, values } = sampleSets(stored);
    values[':expected'] = expectVersion;
    names['#seed'] = 'seed';
    names['#version'] = 'version';
    await this.items.updateIf(
      key,
      {
        update: `SET ${sets.join(', ')}`,
        condition: 'attribute_exists(#seed) AND #version = :expected',
        names,
        values,
      },
      (old) =>
        old?.seed !== undefined
          ? new ConflictError('sample', sampleId(sample), expectVersion, Number(old.version))
          : new NotFoundError('sample', sampleId(sample)),
    );
    return stored;
  }

  async markPick(
    campaignId: string,
    villageId: string,
    householdId: string,
    mark: { kind: 'started' | 'surveyed'; at: Instant; by: string },
    hint?: number,
  ): Promise<Sample> {
    const key = keys.sample(campaignId, villageId);
    const id = `${campaignId}/${villageId}`;
    const knownIndex = Number.isSafeInteger(hint) && (hint ?? -1) >= 0 ? hint : undefined;
    for (let attempt = 0; ; attempt++) {
      let index = knownIndex ?? -1;
      // The first attempt at a known place writes straight away (its condition checks the place);
      // every other attempt reads where the pick is and whether it is marked already.
      if (attempt > 0 || knownIndex === undefined) {
        const item = await this.items.get(key);
        if (!item || item.seed === undefined) throw new NotFoundError('sample', id);
        const sample = decodeSample(item);
        index = sample.picks.findIndex((p) => p.householdId === householdId);
        const pick = sample.picks[index];
        if (!pick) throw new NotFoundError('sample', `${id}/pick`);
        if (pick.status === 'replaced') throw new PickReplacedError(villageId);
        if (mark.kind === 'started' ? pick.startedAt !== undefined : pick.status === 'surveyed')
          return sample;
      }
      // Only this pick's attributes: marks of other picks never conflict with it. The condition
      // pins the pick (picks are only appended, so its index stays) and that it is not replaced.
      const path = `#picks[${index}]`;
      const names: Record<string, string> = {
        '#picks': 'picks',
        '#hid': 'householdId',
        '#status': 'status',
        '#startedAt': 'startedAt',
        '#version': 'version',
      };
      const values: Record<string, unknown> = {
        ':hid': householdId,
        ':replaced': 'replaced',
        ':at': mark.at,
        ':one': 1,
      };
      const sets = [`${path}.#startedAt = if_not_exists(${path}.#startedAt, :at)`];
      if (mark.kind === 'started') {
        names['#startedBy'] = 'startedBy';
        values[':by'] = mark.by;
        // Written unread at a known place: a mark already there (another opener's) stays.
        sets.push(`${path}.#startedBy = if_not_exists(${path}.#startedBy, :by)`);
      } else {
        values[':surveyed'] = 'surveyed';
        sets.push(`${path}.#status = :surveyed`);
      }
      try {
        const out = await this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')} ADD #version :one`,
            ConditionExpression: `${path}.#hid = :hid AND ${path}.#status <> :replaced`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return decodeSample(out.Attributes ?? {});
      } catch (err) {
        // Replaced meanwhile: the next read says so. Anything else propagates.
        if (!isConditionalFailure(err) || attempt >= 3) throw err;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Items ⇄ aggregates

/** SET clauses for every field of a sample (the state item's list info is left alone). */
function sampleSets(sample: Sample) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  Object.entries({ ...sample, entity: 'village' })
    .filter(([, v]) => v !== undefined)
    .forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
  return { sets, names, values };
}

function decodeSample(item: Item): Sample {
  return decode<Sample>(item, ['list']);
}

/** [id, name, stratum, population, team, note]; trailing empties left out. */
function encodeHousehold(h: Household): (string | number)[] {
  const row: (string | number)[] = [h.id, h.name, h.stratum, h.population ?? '', h.team ?? '', h.note ?? ''];
  while (row.length > 3 && row.at(-1) === '') row.pop();
  return row;
}

function decodeChunk(chunk: Item): Household[] {
  const rows = Array.isArray(chunk.rows) ? (chunk.rows as unknown[][]) : [];
  return rows.map(([id, name, stratum, population, team, note]) => ({
    id: String(id),
    name: String(name),
    stratum: String(stratum) as StratumId,
    ...(population !== undefined && population !== '' ? { population: Number(population) } : {}),
    ...(team ? { team: String(team) } : {}),
    ...(note ? { note: String(note) } : {}),
  }));
}

function sampleId(s: Pick<Sample, 'campaignId' | 'villageId'>): string {
  return `${s.campaignId}/${s.villageId}`;
}
