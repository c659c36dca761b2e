// The raw export of a handful of surveys, written by the same streaming writers production uses
// (reports/raw.ts), from an in-memory source: one page per kind, an office sheet only when there is
// an office survey. Returns the file's bytes, for tests to open.

import { collectBytes } from '../../app/files';
import type { Campaign } from '../../domain/campaign';
import type { Survey, SurveyKind } from '../../domain/model';
import {
  type InspectorNames,
  type RawOptions,
  type SurveyPages,
  writeRawCsv,
  writeRawWorkbook,
} from '../../reports/raw';

function pagesOf(surveys: readonly Survey[], names: InspectorNames): SurveyPages {
  const kinds: SurveyKind[] = ['household', 'village'];
  if (surveys.some((s) => s.kind === 'office')) kinds.push('office');
  return {
    kinds,
    async *pages(kind) {
      const page = surveys.filter((s) => s.kind === kind);
      if (page.length > 0) yield page;
    },
    names: async () => names,
  };
}

export function rawWorkbook(
  campaign: Campaign,
  surveys: readonly Survey[],
  names: InspectorNames = new Map(),
): Promise<Buffer> {
  return collectBytes((out) => writeRawWorkbook(campaign, pagesOf(surveys, names), out));
}

export function rawCsv(
  campaign: Campaign,
  surveys: readonly Survey[],
  kind: SurveyKind,
  names: InspectorNames = new Map(),
  opts: RawOptions = {},
): Promise<Buffer> {
  return collectBytes((out) => writeRawCsv(campaign, pagesOf(surveys, names), kind, out, opts));
}
