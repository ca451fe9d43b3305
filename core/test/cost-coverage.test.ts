// Cost coverage and trust: the share of model calls priced, the models with unpriced calls (no
// price known, or no token counts to price), and library-reported costs next to Vigil's own.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, modelSpan, type TestDatabase } from '@vigil/testing';
import { createProject } from '../src/projects.ts';
import { bulkLoadSpans } from '../src/rollups/bulk-load.ts';
import { readCostCoverage, readReportedCost } from '../src/query/read-cost.ts';
import { SERVICE_CALLER } from '../src/query/caller.ts';
import type { SpanRow } from '../src/spans/index.ts';

const MINUTE = 60_000;
const now = Math.floor(Date.now() / MINUTE) * MINUTE;
const window = { from: new Date(now - 60 * MINUTE), to: new Date(now) };

let db: TestDatabase;
let projectId: string;

function call(i: number, fields: Partial<SpanRow>): SpanRow {
  return modelSpan({
    projectId,
    tenantId: i % 2 ? 'acme' : 'globex',
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    startMs: now - 30 * MINUTE + i * 1000,
    durationMs: 500,
    ...fields,
  });
}

const priced = { inputTokens: 1000, outputTokens: 100, costUsd: 0.0035, costSource: 'catalog' as const };

beforeAll(async () => {
  db = await createTestDatabase();
  projectId = (await createProject(db.pool, 'coverage')).id;
  const spans: SpanRow[] = [];
  let i = 1;
  // 90 priced calls; 6 of a model with no price; 4 without token counts.
  for (let n = 0; n < 90; n++) spans.push(call(i++, priced));
  for (let n = 0; n < 6; n++)
    spans.push(call(i++, { model: 'acme-ft-9', provider: null, inputTokens: 200, outputTokens: 20 }));
  for (let n = 0; n < 4; n++) spans.push(call(i++, { model: 'claude-sonnet-4-20250514', provider: 'anthropic' }));
  // 10 of the priced calls also carry their library's own cost, 10% above Vigil's.
  for (const span of spans.slice(0, 10)) span.reportedCostUsd = 0.00385;
  // A model span that names no model.
  spans.push(call(i++, { model: null, provider: null, inputTokens: 10, outputTokens: 1 }));
  // A call Vigil could not price and took the library's cost for: not a comparison.
  spans.push(
    call(i++, { model: 'acme-ft-9', provider: null, reportedCostUsd: 0.01, costUsd: 0.01, costSource: 'span' }),
  );
  await bulkLoadSpans(db.pool, spans);
  await db.pool.query(
    `insert into unpriced_models (project_id, provider, model, first_seen, span_count) values ($1, '', 'acme-ft-9', $2, 6)`,
    [projectId, new Date(now - 45 * MINUTE)],
  );
}, 60_000);

afterAll(() => db.drop());

describe('cost coverage', () => {
  it('counts priced calls and lists the unpriced models with why and since when', async () => {
    const coverage = await readCostCoverage(db.pool, SERVICE_CALLER, { projectId, window });
    // 102 calls: 90 priced by the catalog, 1 by its library's cost; 6 + 4 + 1 unknown.
    expect(coverage.modelCalls).toBe(102);
    expect(coverage.pricedCalls).toBe(91);
    expect(coverage.coverage).toBeCloseTo(91 / 102, 12);
    expect(coverage.unpricedModels).toEqual([
      {
        provider: null,
        model: 'acme-ft-9',
        calls: 7,
        unpricedCalls: 6,
        reason: 'no_price',
        firstSeen: new Date(now - 45 * MINUTE).toISOString(),
      },
      {
        provider: 'anthropic',
        model: 'claude-sonnet-4-20250514',
        calls: 4,
        unpricedCalls: 4,
        reason: 'no_usage',
        firstSeen: null,
      },
      { provider: null, model: null, calls: 1, unpricedCalls: 1, reason: 'no_model', firstSeen: null },
    ]);
  });

  it('follows the filters', async () => {
    const acme = await readCostCoverage(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      filters: { tenant_id: ['acme'] },
    });
    const globex = await readCostCoverage(db.pool, SERVICE_CALLER, {
      projectId,
      window,
      filters: { tenant_id: ['globex'] },
    });
    expect(acme.modelCalls + globex.modelCalls).toBe(102);
    expect(acme.pricedCalls + globex.pricedCalls).toBe(91);
  });

  it('says so when there are no model calls at all: coverage unknown, not 100%', async () => {
    const empty = await readCostCoverage(db.pool, SERVICE_CALLER, {
      projectId,
      window: { from: new Date(now - 10 * 86_400_000), to: new Date(now - 9 * 86_400_000) },
    });
    expect(empty).toEqual({ modelCalls: 0, pricedCalls: 0, coverage: null, unpricedModels: [] });
  });
});

describe('reported next to computed cost', () => {
  it('compares per model, only where Vigil priced the call itself', async () => {
    const rows = await readReportedCost(db.pool, SERVICE_CALLER, { projectId, window });
    expect(rows).toHaveLength(1);
    const [gpt] = rows;
    expect(gpt).toMatchObject({ provider: 'openai', model: 'gpt-4o', calls: 10 });
    expect(gpt!.reportedUsd).toBeCloseTo(0.0385, 12);
    expect(gpt!.computedUsd).toBeCloseTo(0.035, 12);
    expect(gpt!.differenceUsd).toBeCloseTo(0.0035, 12);
    expect(gpt!.differenceRatio).toBeCloseTo(0.1, 9);
    const acme = await readReportedCost(db.pool, SERVICE_CALLER, { projectId, window, tenantId: 'acme' });
    expect(acme[0]!.calls).toBe(5);
  });
});
