// Budget burn-rate alerts on a known spend curve: spending 24× the even rate for the last hour
// pages, 3.6× for a day tickets, an even pace says nothing; the rate is the budget's per hour.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetBurnRate, createProject, utcMonthMs } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { parseAlertsConfig } from '../src/config/load.ts';
import { alertDefinitions } from '../src/engine/definitions.ts';
import type { BudgetBurnObservation } from '../src/engine/observations.ts';
import { describeObserved } from '../src/slack/message.ts';
import { loadTraffic } from './support/traffic.ts';

const HOUR = 3_600_000;
let db: TestDatabase;
const projects = new Map<string, string>();
// Mid-month, so every window lies inside the month.
const now = Date.UTC(2026, 11, 15, 12, 0, 0);
const monthly = 310; // $10 a day in a 31-day December
const perHour = monthly / (utcMonthMs(now) / HOUR);

beforeAll(async () => {
  db = await createTestDatabase();
  for (const name of ['fast', 'slow', 'even']) projects.set(name, (await createProject(db.pool, name)).id);
  // Each call costs `costUsd` × a lognormal noise whose mean is e^0.045.
  const calls = (project: string, hours: number, usdPerHour: number, seed: number) =>
    loadTraffic(db.pool, {
      projectId: projects.get(project)!,
      fromMs: now - hours * HOUR,
      toMs: now - 1000,
      count: hours * 60,
      costUsd: usdPerHour / 60 / Math.exp(0.045),
      seed,
    });
  await calls('fast', 1, 24 * perHour, 1);
  await calls('slow', 26, 3.6 * perHour, 2);
  await calls('even', 72, perHour, 3);
});

afterAll(async () => {
  await db.drop();
});

async function burnOf(project: string) {
  const config = parseAlertsConfig({ budgets: [{ name: 'spend', project, monthlyUsd: monthly }] });
  const { definitions } = alertDefinitions(config, new Map([[project, projects.get(project)!]]));
  const result: Record<string, { firing: boolean; observed: BudgetBurnObservation }> = {};
  for (const d of definitions.filter((d) => d.labels.measure === 'burn')) {
    const evaluation = await d.evaluate(db.pool, now);
    result[d.severity] = {
      firing: evaluation.observation === 'true',
      observed: evaluation.observed as BudgetBurnObservation,
    };
  }
  return result;
}

describe('budget burn alerts', () => {
  it('measure the burn against the budget spread evenly over its month', () => {
    expect(budgetBurnRate(perHour, HOUR, monthly, utcMonthMs(now))).toBeCloseTo(1, 9);
    expect(budgetBurnRate(0.02 * monthly, HOUR, monthly, 30 * 24 * HOUR)).toBeCloseTo(14.4, 9);
  });

  it('page on a fast burn: 24× the even rate for an hour', async () => {
    const burn = await burnOf('fast');
    expect(burn.page!.firing).toBe(true);
    const [hour] = burn.page!.observed.windows;
    expect(hour!.longBurn!).toBeGreaterThan(20);
    expect(hour!.longBurn!).toBeLessThan(28);
    expect(burn.ticket!.firing).toBe(false);
    expect(describeObserved(burn.page!.observed)[0]).toMatch(
      /^🔴 1h\/5m: spending 2\d\.\d× \/ 2\d\.\d× the even rate vs 14\.4×/,
    );
  });

  it('ticket on a slow burn: 3.6× the even rate for a day', async () => {
    const burn = await burnOf('slow');
    expect(burn.page!.firing).toBe(false);
    expect(burn.ticket!.firing).toBe(true);
    expect(burn.ticket!.observed.windows[0]!.longBurn!).toBeGreaterThan(3);
  });

  it('say nothing at an even pace', async () => {
    const burn = await burnOf('even');
    expect(burn.page!.firing).toBe(false);
    expect(burn.ticket!.firing).toBe(false);
    expect(burn.ticket!.observed.windows[0]!.longBurn!).toBeGreaterThan(0.8);
    expect(burn.ticket!.observed.windows[0]!.longBurn!).toBeLessThan(1.2);
  });
});
