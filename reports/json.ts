// The summary as JSON for machines (the office API, the CLI): 表4 as an object keyed by row id, so
// a consumer reads `city.table4.t4_households.value` without knowing the row order.

import type { ScopeTables, SummaryModels, Table4 } from '../domain/tables/index';

/** 表4 as an object keyed by row id, in table order: `json.city.table4.t4_households.value`. */
export function table4ById(t: Table4) {
  return Object.fromEntries(
    t.rows.map((r) => [
      r.id,
      {
        category: r.category,
        ...(r.group ? { group: r.group } : {}),
        label: r.label,
        unit: r.unit,
        value: r.value,
        ...(r.note ? { note: r.note } : {}),
        ...(r.parent ? { parent: r.parent } : {}),
      },
    ]),
  );
}

const scopeJson = (t: ScopeTables) => ({ table4: table4ById(t.table4), table3: t.table3, table5: t.table5 });

export function summaryJson(models: SummaryModels) {
  return {
    campaignId: models.campaignId,
    scope: models.scope,
    builtAt: models.builtAt,
    ...(models.city ? { city: scopeJson(models.city) } : {}),
    towns: models.towns.map((t) => ({ townId: t.townId, narrative: t.narrative, ...scopeJson(t) })),
  };
}
