// Multi-window, multi-burn-rate alerting (SRE Workbook, "Alerting on SLOs", table 5-8): a pair of
// windows fires when both its long and its short window burn error budget at least burnRate times
// faster than the SLO allows. The long window says the burn matters; the short one that it is still
// happening, so the alert resets minutes after the errors stop. No `for:` on burn alerts.

import type { Severity } from '../config/schema.ts';

export interface WindowPair {
  severity: Severity;
  longMs: number;
  shortMs: number;
  burnRate: number;
}

const HOUR = 3_600_000;
const MINUTE = 60_000;
const WORKBOOK_PERIOD_MS = 30 * 24 * HOUR;

/** The Workbook's windows for a 30-day SLO: pages at 1h/5m ×14.4 and 6h/30m ×6, tickets at 1d/2h ×3 and 3d/6h ×1. */
export const WORKBOOK_WINDOWS: readonly WindowPair[] = [
  { severity: 'page', longMs: HOUR, shortMs: 5 * MINUTE, burnRate: 14.4 },
  { severity: 'page', longMs: 6 * HOUR, shortMs: 30 * MINUTE, burnRate: 6 },
  { severity: 'ticket', longMs: 24 * HOUR, shortMs: 2 * HOUR, burnRate: 3 },
  { severity: 'ticket', longMs: 72 * HOUR, shortMs: 6 * HOUR, burnRate: 1 },
];

/**
 * The Workbook windows scaled to another SLO period, as Pyrra does: each window keeps the same
 * share of the period, so each pair still fires at the same share of budget spent (2%, 5%, 10%,
 * 10%). Windows are whole minutes, at least one.
 */
export function scaledWindows(periodMs: number): WindowPair[] {
  const scale = periodMs / WORKBOOK_PERIOD_MS;
  const minutes = (ms: number) => Math.max(MINUTE, Math.round((ms * scale) / MINUTE) * MINUTE);
  return WORKBOOK_WINDOWS.map((w) => ({ ...w, longMs: minutes(w.longMs), shortMs: minutes(w.shortMs) }));
}

/** How many times faster than allowed the budget burns: bad/total over (1 − objective). */
export function burnRate(bad: number, total: number, objective: number): number | null {
  if (total <= 0) return null;
  return bad / total / (1 - objective);
}

/** Share of the period's error budget that a pair has consumed when it fires (Workbook: burn × window / period). */
export function budgetConsumedAtFiring(pair: WindowPair, periodMs: number): number {
  return (pair.burnRate * pair.longMs) / periodMs;
}

export interface WindowCounts {
  total: number;
  bad: number;
}

export interface PairEvaluation {
  pair: WindowPair;
  long: WindowCounts & { burnRate: number | null };
  short: WindowCounts & { burnRate: number | null };
  /** Both windows above the burn rate, with enough events in the long window. */
  firing: boolean;
  /** Not enough events to say (the low-traffic guard), or no events at all. */
  insufficient: boolean;
}

export function evaluatePair(
  pair: WindowPair,
  long: WindowCounts,
  short: WindowCounts,
  objective: number,
  minEvents: number,
): PairEvaluation {
  const longBurn = burnRate(long.bad, long.total, objective);
  const shortBurn = burnRate(short.bad, short.total, objective);
  // The guard applies to the long window (it decides whether the burn matters); the short window
  // only needs to show that the burn continues, and can hold few events at night.
  const insufficient = long.total < Math.max(1, minEvents) || short.total === 0;
  const firing =
    !insufficient && longBurn !== null && shortBurn !== null && longBurn >= pair.burnRate && shortBurn >= pair.burnRate;
  return {
    pair,
    long: { ...long, burnRate: longBurn },
    short: { ...short, burnRate: shortBurn },
    firing,
    insufficient,
  };
}

/**
 * Seconds until a pair fires after a step change from a clean window to errorRatio, at steady
 * traffic (the Workbook's "time to detect"): the long window's ratio grows as t/long × errorRatio.
 */
export function detectionSeconds(pair: WindowPair, objective: number, errorRatio: number): number | null {
  const needed = pair.burnRate * (1 - objective);
  if (errorRatio < needed) return null;
  const longS = ((needed / errorRatio) * pair.longMs) / 1000;
  const shortS = ((needed / errorRatio) * pair.shortMs) / 1000;
  return Math.max(longS, shortS);
}
