// Time budgets are latency SLOs: each surface and dependency becomes one, with the windows of any
// other SLO of its period, from the config file or a project's overrides.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { parseAlertsConfig } from '../src/config/load.ts';
import { withProjectOverrides } from '../src/config/effective.ts';
import { alertDefinitions } from '../src/engine/definitions.ts';

const BUDGETS = {
  project: 'shop',
  objective: 99,
  selector: { service: 'chat-api' },
  surfaces: { '/feed': '300ms', '/search': '600ms', '/generate': '2s' },
  dependencies: { db: '300ms', cache: '200ms', model: '1.5s' },
};

describe('time budgets', () => {
  it('expand into one latency SLO per surface and dependency', () => {
    const config = parseAlertsConfig({ timeBudgets: BUDGETS });
    expect(
      config.slos.map((s) => ({
        name: s.name,
        selector: s.selector,
        sli: s.sli,
        objective: s.objective,
        labels: s.labels,
      })),
    ).toEqual([
      {
        name: 'budget.surface.feed',
        selector: { service: ['chat-api'], surface: ['/feed'], category: ['http'] },
        sli: { kind: 'latency', thresholdMs: 300 },
        objective: 99,
        labels: { time_budget: 'surface', surface: '/feed' },
      },
      {
        name: 'budget.surface.search',
        selector: { service: ['chat-api'], surface: ['/search'], category: ['http'] },
        sli: { kind: 'latency', thresholdMs: 600 },
        objective: 99,
        labels: { time_budget: 'surface', surface: '/search' },
      },
      {
        name: 'budget.surface.generate',
        selector: { service: ['chat-api'], surface: ['/generate'], category: ['http'] },
        sli: { kind: 'latency', thresholdMs: 2000 },
        objective: 99,
        labels: { time_budget: 'surface', surface: '/generate' },
      },
      {
        name: 'budget.db',
        selector: { service: ['chat-api'], category: ['db'] },
        sli: { kind: 'latency', thresholdMs: 300 },
        objective: 99,
        labels: { time_budget: 'dependency', category: 'db' },
      },
      {
        name: 'budget.cache',
        selector: { service: ['chat-api'], category: ['cache'] },
        sli: { kind: 'latency', thresholdMs: 200 },
        objective: 99,
        labels: { time_budget: 'dependency', category: 'cache' },
      },
      {
        name: 'budget.model',
        selector: { service: ['chat-api'], category: ['model'] },
        sli: { kind: 'latency', thresholdMs: 1500 },
        objective: 99,
        labels: { time_budget: 'dependency', category: 'model' },
      },
    ]);
  });

  it('get the same burn-rate alerts as the same SLO written by hand', () => {
    const budget = parseAlertsConfig({ timeBudgets: { project: 'shop', dependencies: { model: '1.5s' } } });
    const byHand = parseAlertsConfig({
      slos: [
        {
          name: 'budget.model',
          project: 'shop',
          objective: 99,
          selector: { category: 'model' },
          sli: { kind: 'latency', thresholdMs: 1500 },
          labels: { time_budget: 'dependency', category: 'model' },
        },
      ],
    });
    expect(budget.slos[0]).toEqual({ ...byHand.slos[0], description: 'model calls within 1500 ms' });
    const projects = new Map([['shop', '00000000-0000-0000-0000-000000000001']]);
    const strip = (config: typeof budget) =>
      alertDefinitions(config, projects).definitions.map(({ fingerprint, severity, labels, timing, summary }) => ({
        fingerprint,
        severity,
        labels,
        timing,
        summary,
      }));
    expect(strip(budget)).toEqual(strip(byHand));
    expect(strip(budget).map((d) => d.severity)).toEqual(['page', 'ticket']);
  });

  it('refuses a budget that is not a duration, and a dependency that is not a call category', () => {
    expect(() => parseAlertsConfig({ timeBudgets: { surfaces: { '/feed': 'fast' } } })).toThrow(/not a duration/);
    expect(() => parseAlertsConfig({ timeBudgets: { dependencies: { queue: '1s' } } })).toThrow(/queue/);
  });

  describe("in a project's overrides", () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase();
      const project = await createProject(db.pool, 'shop');
      await db.pool.query(`insert into alert_configs (project_id, config) values ($1, $2)`, [
        project.id,
        { timeBudgets: { surfaces: { '/feed': '300ms' } } },
      ]);
    });
    afterAll(() => db.drop());

    it('become SLOs of that project', async () => {
      const merged = await withProjectOverrides(db.pool, parseAlertsConfig({}));
      expect(merged.slos.map((s) => [s.project, s.name, s.sli])).toEqual([
        ['shop', 'budget.surface.feed', { kind: 'latency', thresholdMs: 300 }],
      ]);
    });
  });
});
