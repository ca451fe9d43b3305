// Who hears about an alert: silences (time-bounded label matchers) mute it; inhibition lets a
// firing page mute the ticket of the same SLO, rule or budget (the SRE Workbook asks for it: a fast
// burn also trips the slow windows, and one incident should not notify twice).

import type { AlertDefinition } from './alert-definition.ts';

export interface Silence {
  projectId: string;
  /** Every label named must equal the value given. */
  matchers: Record<string, string>;
}

export function isSilenced(definition: AlertDefinition, silences: readonly Silence[]): boolean {
  return silences.some(
    (s) =>
      s.projectId === definition.projectId &&
      Object.entries(s.matchers).every(([label, value]) => definition.labels[label] === value),
  );
}

/** A firing page with the same project and alert name inhibits a ticket. */
export function inhibitedBy(definition: AlertDefinition, firing: readonly AlertDefinition[]): boolean {
  if (definition.severity !== 'ticket') return false;
  return firing.some(
    (f) =>
      f.severity === 'page' &&
      f.projectId === definition.projectId &&
      f.name === definition.name &&
      f.kind === definition.kind,
  );
}
