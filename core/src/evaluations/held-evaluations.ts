// Evaluation results that arrive on their own, as OTLP log events naming the evaluated span (the
// GenAI semconv's gen_ai.evaluation.result), rather than inside the span. They are held until the
// span is stored, then written like the results a span carries (writeEvaluations), with its
// tenant, deployment, model and prompt. A result whose span has not come after HELD_EVALUATION_MS
// is written with what its own record said (tenant and service; no deployment, model or prompt),
// so it is kept, not lost. The compactor's round runs attachHeldEvaluations.

import type pg from 'pg';
import { spanIdInteger } from '../spans/span-id.ts';
import { NO_TENANT, type EvaluationResult } from '../spans/stored-span.ts';
import { type EvaluatedSpan, writeEvaluations } from './write-evaluations.ts';

export const HELD_EVALUATION_MS = 3_600_000;

export interface HeldEvaluation {
  traceId: string;
  spanId: string;
  result: EvaluationResult;
  /** From the record and its resource: used only if the span never arrives. */
  tenantId: string | null;
  serviceName: string;
}

/** Holds results for their spans; a result already held (a retried export) is not added again. */
export async function holdEvaluations(
  client: pg.Pool | pg.ClientBase,
  projectId: string,
  held: readonly HeldEvaluation[],
): Promise<void> {
  if (held.length === 0) return;
  await client.query(
    `insert into evaluations_awaiting_span (project_id, trace_id, span_id, name, at, score, label, tenant_id, service_name)
     select $1, * from unnest($2::text[], $3::bigint[], $4::text[], $5::timestamptz[], $6::float8[], $7::text[], $8::text[], $9::text[])
     on conflict do nothing`,
    [
      projectId,
      held.map((h) => h.traceId),
      held.map((h) => spanIdInteger(h.spanId)),
      held.map((h) => h.result.name),
      held.map((h) => new Date(h.result.atMs)),
      held.map((h) => h.result.score),
      held.map((h) => h.result.label),
      held.map((h) => h.tenantId ?? NO_TENANT),
      held.map((h) => h.serviceName),
    ],
  );
}

interface HeldRow {
  project_id: string;
  trace_id: string;
  span_id: string;
  name: string;
  at: Date;
  score: number | null;
  label: string | null;
  tenant_id: string;
  service_name: string;
  span_tenant: string | null;
  span_service: string | null;
  deployment: string | null;
  model: string | null;
  prompt_name: string | null;
  prompt_version: string | null;
  found: boolean;
}

/**
 * Writes the held results whose span is stored, and those held past HELD_EVALUATION_MS without it;
 * returns how many of each. The caller holds the transaction.
 */
export async function attachHeldEvaluations(
  client: pg.ClientBase,
  nowMs: number,
): Promise<{ attached: number; unattached: number }> {
  const { rows } = await client.query<HeldRow>(
    `with taken as (
       delete from evaluations_awaiting_span h
        where exists (select 1 from spans s where s.project_id = h.project_id and s.trace_id = h.trace_id::uuid
                        and s.span_id = h.span_id)
           or h.received_at < $1
       returning h.*)
     select t.project_id, t.trace_id, vigil_span_hex(t.span_id) as span_id, t.name, t.at, t.score, t.label, t.tenant_id,
            t.service_name, s.tenant_id as span_tenant, s.service_name as span_service, s.deployment, s.model,
            s.prompt_name, s.prompt_version, s.span_id is not null as found
       from taken t
       left join lateral (
         select tenant_id, service_name, deployment, model, prompt_name, prompt_version, span_id from spans s
          where s.project_id = t.project_id and s.trace_id = t.trace_id::uuid and s.span_id = t.span_id
          limit 1) s on true`,
    [new Date(nowMs - HELD_EVALUATION_MS)],
  );
  if (rows.length === 0) return { attached: 0, unattached: 0 };
  const spans: EvaluatedSpan[] = rows.map((r) => ({
    projectId: r.project_id,
    tenantId: r.found ? r.span_tenant : r.tenant_id,
    traceId: r.trace_id,
    spanId: r.span_id,
    serviceName: r.found ? (r.span_service ?? '') : r.service_name,
    deployment: r.deployment,
    model: r.model,
    promptName: r.prompt_name,
    promptVersion: r.prompt_version,
    evaluations: [{ name: r.name, score: r.score, label: r.label, atMs: r.at.getTime() }],
  }));
  await writeEvaluations(client, spans);
  const attached = rows.filter((r) => r.found).length;
  return { attached, unattached: rows.length - attached };
}
