// A burst of metric requests for one project never takes more than METRIC_COMMITS of the pool's
// connections (the span writer shares the pool), and every request still commits, exactly.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createProject, type Project } from '@vigil/core';
import { createTestDatabase, type TestDatabase } from '@vigil/testing';
import { createCollectorMetrics } from '../../src/metrics.ts';
import { METRIC_COMMITS, MetricPipeline } from '../../src/metric-ingest/metric-pipeline.ts';
import { ProjectDirectory } from '../../src/projects/project-directory.ts';
import type { DecodedMetrics } from '../../src/otlp/types.ts';

let db: TestDatabase;
let project: Project;
beforeAll(async () => {
  db = await createTestDatabase();
  project = await createProject(db.pool, 'metric-burst');
});
afterAll(() => db.drop());

/** The real pool, counting the connections checked out at once. */
function countingPool(pool: pg.Pool): { pool: pg.Pool; peak: () => number } {
  let out = 0;
  let peak = 0;
  const counted = Object.create(pool) as pg.Pool;
  counted.connect = (async () => {
    const client = await pool.connect();
    peak = Math.max(peak, ++out);
    const release = client.release.bind(client);
    client.release = ((error?: Error | boolean) => {
      out--;
      return release(error);
    }) as typeof client.release;
    return client;
  }) as typeof pool.connect;
  return { pool: counted, peak: () => peak };
}

function request(i: number): DecodedMetrics {
  const now = Date.now();
  return {
    resourceMetrics: [
      {
        resource: { 'service.name': 'burst', 'tenant.id': 'burst' },
        scopeMetrics: [
          {
            scopeName: 's',
            scopeVersion: '',
            metrics: [
              {
                name: 'gen_ai.client.inference.usage.input_tokens',
                unit: '{token}',
                data: {
                  kind: 'sum',
                  temporality: 'delta',
                  monotonic: true,
                  points: [
                    {
                      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', series: String(i) },
                      startMs: now - 60_000,
                      timeMs: now,
                      value: 100,
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
    pointCount: 1,
    rejectedPoints: 0,
    rejectionReasons: [],
    droppedAttributes: 0,
    truncatedValues: 0,
    decodedBytes: 0,
  };
}

describe('metric commits', () => {
  it(`hold at most ${METRIC_COMMITS} connections under a burst, and every request commits`, async () => {
    const { pool, peak } = countingPool(db.pool);
    const pipeline = new MetricPipeline({
      pool,
      projects: new ProjectDirectory(db.pool),
      metrics: createCollectorMetrics(),
    });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => pipeline.consume(project, request(i))));
    expect(outcomes.every((o) => o.counted === 1)).toBe(true);
    expect(peak()).toBeLessThanOrEqual(METRIC_COMMITS);
    expect(peak()).toBeGreaterThan(0);
    const { rows } = await db.pool.query(
      `select sum(input_tokens)::int as input from metric_rollup_deltas where project_id = $1`,
      [project.id],
    );
    expect(rows[0].input).toBe(3000);
  });
});
