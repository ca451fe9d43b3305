// What one alert instance is: its identity (labels, hence its fingerprint), its timing, and how to
// evaluate it. The config's SLOs, rules and budgets become these (definitions.ts,
// budget-definitions.ts); the engine, its policy and its samples take them.

import { createHash } from 'node:crypto';
import { type Caller, SERVICE_CALLER } from '@vigil/core';
import type pg from 'pg';
import type { Severity } from '../config/schema.ts';
import type { Observation, Timing } from '../state/machine.ts';
import type { AlertObservation } from './observations.ts';

export interface Evaluation {
  observation: Observation;
  /** What was seen, for messages and the UI: window values against thresholds. */
  observed: AlertObservation;
}

export interface AlertDefinition {
  fingerprint: string;
  projectId: string;
  projectName: string;
  tenantId: string;
  name: string;
  kind: 'slo' | 'rule' | 'budget';
  severity: Severity;
  labels: Record<string, string>;
  timing: Timing;
  summary: string;
  /** Set when the alert watches one deployment: a page then rolls that deployment back. */
  deployment: string | null;
  evaluate(pool: pg.Pool, now: number): Promise<Evaluation>;
}

export function fingerprint(labels: Record<string, string>): string {
  const canonical = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Alerts read every tenant's data of a project: as the service. */
export const DEFINITION_CALLER: Caller = SERVICE_CALLER;

/** The window of `ms` ending at `now`. */
export const windowEnding = (now: number, ms: number) => ({ from: new Date(now - ms), to: new Date(now) });
