// The summary tables of one scope and of a whole build, as the use case returns them and the
// renderers (reports/) and the snapshot store them.

import type { Table4 } from './compute';
import type { Table3 } from './table3';
import type { Table5 } from './table5';

export * from './compute';
export * from './narrative';
export * from './table3';
export * from './table4';
export * from './table5';

export interface ScopeTables {
  table3: Table3;
  table4: Table4;
  table5: Table5;
}

export interface TownTables extends ScopeTables {
  townId: string;
  /** The generated short account for the group report. */
  narrative: string;
}

export interface SummaryModels {
  campaignId: string;
  /** 'city' or the town id the build was asked for. */
  scope: string;
  builtAt: string;
  towns: TownTables[];
  /** Present when the scope is 'city'. */
  city?: ScopeTables;
}
