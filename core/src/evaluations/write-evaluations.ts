// Evaluation results into `evaluations` (COPY) and their hourly rollups (one upsert of the
// batch's sums), in the transaction that stores their spans: a result exists exactly when its
// span does, and a retried span (a duplicate, not stored) adds nothing.

import type pg from 'pg';
import { CopyBuffer } from '../db/copy-buffer.ts';
import { copyRows } from '../db/copy-rows.ts';
import { copyNumber, copyText, copyTimestamp } from '../db/copy-text.ts';
import { floorTo, HOUR_MS } from '../rollups/rollup-rows.ts';
import { spanIdInteger } from '../spans/span-id.ts';
import { NO_DIMENSION, NO_TENANT, type SpanRow } from '../spans/stored-span.ts';

export const EVALUATION_COLUMNS = [
  'project_id',
  'tenant_id',
  'trace_id',
  'span_id',
  'at',
  'name',
  'score',
  'label',
  'service_name',
  'deployment',
  'model',
  'prompt_name',
  'prompt_version',
] as const;

interface RollupSums {
  key: string[];
  results: number;
  scored: number;
  sum: number;
  sumSq: number;
}

/** What an evaluation row takes from its span. */
export type EvaluatedSpan = Pick<
  SpanRow,
  | 'projectId'
  | 'tenantId'
  | 'traceId'
  | 'spanId'
  | 'serviceName'
  | 'deployment'
  | 'model'
  | 'promptName'
  | 'promptVersion'
  | 'evaluations'
>;

export async function writeEvaluations(client: pg.ClientBase, spans: readonly EvaluatedSpan[]): Promise<number> {
  const data = new CopyBuffer();
  const rollups = new Map<string, RollupSums>();
  for (const span of spans) {
    if (!span.evaluations) continue;
    const tenant = span.tenantId ?? NO_TENANT;
    for (const e of span.evaluations) {
      data.push(
        `${[
          copyText(span.projectId),
          copyText(tenant),
          copyText(span.traceId),
          spanIdInteger(span.spanId),
          copyTimestamp(e.atMs),
          copyText(e.name),
          copyNumber(e.score),
          copyText(e.label),
          copyText(span.serviceName),
          copyText(span.deployment),
          copyText(span.model),
          copyText(span.promptName),
          copyText(span.promptVersion),
        ].join('\t')}\n`,
      );
      const key = [
        span.projectId,
        new Date(floorTo(e.atMs, HOUR_MS)).toISOString(),
        e.name,
        tenant,
        span.deployment ?? NO_DIMENSION,
        span.model ?? NO_DIMENSION,
        span.promptName ?? NO_DIMENSION,
        span.promptVersion ?? NO_DIMENSION,
      ];
      const id = key.join('\u0000');
      const sums = rollups.get(id) ?? { key, results: 0, scored: 0, sum: 0, sumSq: 0 };
      sums.results++;
      if (e.score !== null) {
        sums.scored++;
        sums.sum += e.score;
        sums.sumSq += e.score * e.score;
      }
      rollups.set(id, sums);
    }
  }
  if (data.rows === 0) return 0;
  await copyRows(client, 'evaluations', EVALUATION_COLUMNS, data);
  // In key order, so two writers adding to the same rows lock them in the same order.
  const rows = [...rollups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => r);
  const column = (i: number) => rows.map((r) => r.key[i]);
  await client.query(
    `insert into evaluation_rollups as r (project_id, bucket, name, tenant_id, deployment, model, prompt_name, prompt_version,
                                          results, scored, score_sum, score_sq_sum)
     select * from unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                          $9::bigint[], $10::bigint[], $11::float8[], $12::float8[])
     on conflict (project_id, bucket, name, tenant_id, deployment, model, prompt_name, prompt_version) do update set
       results = r.results + excluded.results, scored = r.scored + excluded.scored,
       score_sum = r.score_sum + excluded.score_sum, score_sq_sum = r.score_sq_sum + excluded.score_sq_sum`,
    [
      column(0),
      column(1),
      column(2),
      column(3),
      column(4),
      column(5),
      column(6),
      column(7),
      rows.map((r) => r.results),
      rows.map((r) => r.scored),
      rows.map((r) => r.sum),
      rows.map((r) => r.sumSq),
    ],
  );
  return data.rows;
}
