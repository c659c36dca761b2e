// Surveys stored as the app stores them: the survey item, then (for a submitted one) its village's
// aggregate, by the same call a submit makes. Fixtures that wrote only the item would leave the
// aggregates (and so 表4) without them.

import { recordSubmitted } from '../../app/aggregates';
import type { Store } from '../../app/ports';
import type { Campaign } from '../../domain/campaign';
import type { Survey } from '../../domain/model';

export async function storeSurveys(
  store: Store,
  campaign: Campaign,
  surveys: readonly Survey[],
): Promise<void> {
  for (const s of surveys) {
    await store.createSurvey(s);
    if (s.status === 'submitted') await recordSubmitted({ store }, campaign, s);
  }
}
