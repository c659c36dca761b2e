// The registry of forms. Every survey records the form id and version it was answered with, so
// older versions stay registered here next to the current one once a form changes.

import { householdForm } from './household';
import { officeForm } from './office';
import type { FormDef } from './types';
import { villageForm } from './village';

/** Every registered form version, current and past. */
const registered: readonly FormDef[] = [householdForm, villageForm, officeForm];

function latestById(all: readonly FormDef[]): Readonly<Record<string, FormDef>> {
  const out: Record<string, FormDef> = {};
  for (const f of all) {
    const seen = out[f.id];
    if (!seen || f.version > seen.version) out[f.id] = f;
  }
  return out;
}

/** The current version of each form, keyed by form id ('household', 'village', 'office'). */
export const forms: Readonly<Record<string, FormDef>> = latestById(registered);

/** A form by id; the given version, or the current one when no version is given. */
export function formById(id: string, version?: number): FormDef | undefined {
  if (version === undefined) return forms[id];
  return registered.find((f) => f.id === id && f.version === version);
}

export { householdForm, officeForm, villageForm };
