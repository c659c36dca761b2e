// Surveys in DynamoDB, behind the DynamoStore facade (store/dynamo-store.ts: design decisions and
// access patterns). The canonical survey item is written only at the turns of a survey's life
// (created, paused or switched, submitted, returned), each a versioned conditional put; answers
// in between live in the person's session (store/dynamo-people.ts). Town and village lists come
// from GSI1, an inspector's from GSI2.

import { SURVEY_STATUSES, type Survey, type SurveyStatus } from '../domain/model';
import { decode, type Item, TableModule } from './dynamo-base';
import { keys } from './keys';
import { pack, unpack } from './packed';

export class Surveys extends TableModule {
  async createSurvey(survey: Survey): Promise<Survey> {
    const stored: Survey = { ...survey, version: 1 };
    await this.items.createOnce('survey', survey.id, surveyItem(stored));
    return stored;
  }

  async getSurvey(id: string): Promise<Survey | undefined> {
    const item = await this.items.get(keys.survey(id));
    return item ? decodeSurvey(item) : undefined;
  }

  async saveSurvey(survey: Survey, expectVersion: number): Promise<Survey> {
    const stored: Survey = { ...survey, version: expectVersion + 1 };
    await this.items.saveVersioned(
      'survey',
      survey.id,
      keys.survey(survey.id),
      surveyItem(stored),
      expectVersion,
    );
    return stored;
  }

  async surveysOfTown(campaignId: string, townId: string, status?: SurveyStatus): Promise<Survey[]> {
    const items = await this.items.query({
      index: 'GSI1',
      pk: keys.town(campaignId, townId),
      skPrefix: keys.townSurveys(status),
    });
    return items.map(decodeSurvey);
  }

  async surveysOfInspector(personId: string, status?: SurveyStatus): Promise<Survey[]> {
    const items = await this.items.query({
      index: 'GSI2',
      pk: keys.inspector(personId),
      skPrefix: keys.inspectorSurveys(status),
    });
    return items.map(decodeSurvey);
  }

  async surveysOfVillage(
    campaignId: string,
    townId: string,
    villageId: string,
    status?: SurveyStatus,
  ): Promise<Survey[]> {
    const statuses = status === undefined ? SURVEY_STATUSES : [status];
    const pages = await Promise.all(
      statuses.map((s) =>
        this.items.query({
          index: 'GSI1',
          pk: keys.town(campaignId, townId),
          skPrefix: keys.townSurveys(s, villageId),
        }),
      ),
    );
    return pages.flat().map(decodeSurvey);
  }
}

// ---------------------------------------------------------------------------------------------
// Items ⇄ aggregates

/** The parts of a survey no key, condition or query names, packed into `body` (store/packed.ts). */
const SURVEY_BODY: ReadonlySet<string> = new Set<keyof Survey>([
  'answers',
  'confirmations',
  'history',
  'pendingEdit',
  'pendingEdits',
  'evidence',
  'sampled',
  'submissions',
  // Proposal keys name 漏评 people (village + name): packed with the answers they come from.
  'proposalKeys',
  'droppedProposalKeys',
]);

function surveyItem(s: Survey): Item {
  const plain: Item = {};
  const body: Item = {};
  for (const [name, value] of Object.entries(s)) {
    if (value !== undefined) (SURVEY_BODY.has(name) ? body : plain)[name] = value;
  }
  return { ...keys.survey(s.id), ...keys.surveyIndex(s), entity: 'survey', ...plain, body: pack(body) };
}

/** A survey item, packed or (written before packing) plain. */
function decodeSurvey(item: Item): Survey {
  const { body, ...plain } = decode<Survey & { body?: unknown }>(item);
  return body === undefined ? plain : { ...plain, ...unpack<Partial<Survey>>(body) };
}
