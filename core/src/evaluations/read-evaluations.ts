// Evaluation results read back: the scores of one evaluation over a slice (a deployment, a prompt
// version, a model), for CI gates and the canary judge; and per evaluation and deployment, from
// the hourly rollups, how many results and their mean, for the Deployments page.

import type pg from 'pg';
import { z } from 'zod';
import { type Caller, withCaller } from '../query/caller.ts';
import { windowSchema } from '../query/schemas.ts';

const sliceSchema = z
  .object({
    deployment: z.string().min(1).optional(),
    model: z.string().min(1).optional(),
    promptName: z.string().min(1).optional(),
    promptVersion: z.string().min(1).optional(),
  })
  .strict()
  .default({});

export type EvaluationSlice = z.input<typeof sliceSchema>;

const SLICE_COLUMNS = {
  deployment: 'deployment',
  model: 'model',
  promptName: 'prompt_name',
  promptVersion: 'prompt_version',
} as const satisfies Record<keyof z.output<typeof sliceSchema>, string>;

export const evaluationScoresQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    name: z.string().min(1),
    slice: sliceSchema,
    limit: z.number().int().positive().max(50_000).default(20_000),
  })
  .strict();

export type EvaluationScoresQuery = z.input<typeof evaluationScoresQuerySchema>;

/** `and column = $n` for each value of the slice, its values appended to params. */
function sliceSql(slice: z.output<typeof sliceSchema>, params: unknown[]): string {
  let where = '';
  for (const [field, column] of Object.entries(SLICE_COLUMNS)) {
    const value = slice[field as keyof typeof SLICE_COLUMNS];
    if (value === undefined) continue;
    params.push(value);
    where += ` and ${column} = $${params.length}`;
  }
  return where;
}

/** The newest results in the window and slice: of one evaluation or of all, with a score or any. */
async function resultRows(
  pool: pg.Pool,
  caller: Caller,
  q: Omit<z.output<typeof evaluationScoresQuerySchema>, 'name'>,
  only: { name: string | null; scored: boolean },
): Promise<{ name: string; score: number | null }[]> {
  return withCaller(pool, caller, async (client) => {
    const params: unknown[] = [q.projectId, q.window.from, q.window.to];
    let where = only.scored ? ' and score is not null' : '';
    if (only.name !== null) {
      params.push(only.name);
      where += ` and name = $${params.length}`;
    }
    where += sliceSql(q.slice, params);
    params.push(q.limit);
    const { rows } = await client.query<{ name: string; score: number | null }>(
      `select name, score from evaluations where project_id = $1 and at >= $2 and at < $3${where}
        order by at desc limit $${params.length}`,
      params,
    );
    return rows;
  });
}

/** The newest scores of one evaluation in the slice; results with only a label are counted apart. */
export async function readEvaluationScores(
  pool: pg.Pool,
  caller: Caller,
  input: EvaluationScoresQuery,
): Promise<{ scores: number[]; labelOnly: number }> {
  const q = evaluationScoresQuerySchema.parse(input);
  const scores: number[] = [];
  let labelOnly = 0;
  for (const r of await resultRows(pool, caller, q, { name: q.name, scored: false })) {
    if (r.score === null) labelOnly++;
    else scores.push(r.score);
  }
  return { scores, labelOnly };
}

/** Every evaluation's newest scores in the slice, by name (the canary judge's eval metrics). */
export async function readEvaluationScoresByName(
  pool: pg.Pool,
  caller: Caller,
  input: Omit<EvaluationScoresQuery, 'name'>,
): Promise<Map<string, number[]>> {
  const q = evaluationScoresQuerySchema.omit({ name: true }).parse(input);
  const byName = new Map<string, number[]>();
  for (const r of await resultRows(pool, caller, q, { name: null, scored: true })) {
    const scores = byName.get(r.name);
    if (scores) scores.push(r.score!);
    else byName.set(r.name, [r.score!]);
  }
  return byName;
}

export const evaluationSummaryQuerySchema = z
  .object({
    projectId: z.string().uuid(),
    window: windowSchema,
    deployments: z.array(z.string().min(1)).min(1).max(100),
  })
  .strict();

export interface EvaluationSummary {
  name: string;
  deployment: string;
  results: number;
  scored: number;
  /** Null when no result had a score. */
  meanScore: number | null;
  stddev: number | null;
}

/** Per evaluation and deployment, over the window's hours (whole hours: the rollups' grain). */
export async function readEvaluationSummary(
  pool: pg.Pool,
  caller: Caller,
  input: z.input<typeof evaluationSummaryQuerySchema>,
): Promise<EvaluationSummary[]> {
  const q = evaluationSummaryQuerySchema.parse(input);
  return withCaller(pool, caller, async (client) => {
    const { rows } = await client.query(
      `select name, deployment, sum(results)::float8 as results, sum(scored)::float8 as scored,
              sum(score_sum)::float8 as score_sum, sum(score_sq_sum)::float8 as score_sq_sum
         from evaluation_rollups
        where project_id = $1 and bucket >= date_trunc('hour', $2::timestamptz) and bucket < $3
          and deployment = any($4::text[])
        group by name, deployment order by name, deployment`,
      [q.projectId, q.window.from, q.window.to, q.deployments],
    );
    return rows.map((r) => {
      const mean = r.scored > 0 ? r.score_sum / r.scored : null;
      const variance =
        mean !== null && r.scored > 1 ? (r.score_sq_sum - r.scored * mean * mean) / (r.scored - 1) : null;
      return {
        name: r.name,
        deployment: r.deployment,
        results: r.results,
        scored: r.scored,
        meanScore: mean,
        stddev: variance === null ? null : Math.sqrt(Math.max(0, variance)),
      };
    });
  });
}
