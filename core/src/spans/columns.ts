// The columns of `spans` (the view `ai_api_calls` reads model calls from them), how a StoredSpan
// is written into span_rows, the table under it (COPY text, dimensions as codes), and how rows are
// read back into StoredSpan fields. Field names and column names are mapped once, here; the
// migrations hold the same columns.

import { CopyBuffer } from '../db/copy-buffer.ts';
import { forEachInTurns } from '../event-loop.ts';
import { copyJson, copyNumber, copyText, copyTimestamp } from '../db/copy-text.ts';
import { spanIdInteger } from './span-id.ts';
import { NO_TENANT, type SpanRow, type StoredSpan, WRAPPER_FIELDS } from './stored-span.ts';

// Evaluations and content are rows of their own tables (evaluations/write-evaluations.ts,
// span_contents), not span columns.
type StoredField = Exclude<keyof StoredSpan, 'wrapper' | 'evaluations' | 'content'>;

/** Each stored field's column, in the order of the COPY rows below. */
export const SPAN_FIELD_COLUMNS = {
  projectId: 'project_id',
  tenantId: 'tenant_id',
  traceId: 'trace_id',
  spanId: 'span_id',
  parentSpanId: 'parent_span_id',
  name: 'name',
  serviceName: 'service_name',
  kind: 'kind',
  startMs: 'start_time',
  durationMs: 'duration_ms',
  category: 'category',
  status: 'status',
  statusMessage: 'status_message',
  sessionId: 'session_id',
  userId: 'user_id',
  surface: 'surface',
  deployment: 'deployment',
  environment: 'environment',
  model: 'model',
  provider: 'provider',
  operation: 'operation',
  promptName: 'prompt_name',
  promptVersion: 'prompt_version',
  ttftMs: 'ttft_ms',
  inputTokens: 'input_tokens',
  outputTokens: 'output_tokens',
  cacheReadTokens: 'cache_read_tokens',
  cacheWriteTokens: 'cache_write_tokens',
  reasoningTokens: 'reasoning_tokens',
  cacheWrite1hTokens: 'cache_write_1h_tokens',
  costUsd: 'cost_usd',
  costSource: 'cost_source',
  reportedCostUsd: 'reported_cost_usd',
  attributes: 'attributes',
  events: 'events',
  cacheHit: 'cache_hit',
} as const satisfies Record<StoredField, string>;

export type SpanField = keyof typeof SPAN_FIELD_COLUMNS;

/**
 * The fields span_rows keeps as one code, that of their combination in span_dimensions (migration
 * 20261214000000), in the order of vigil_span_dimension_codes' arguments; the view `spans` gives
 * them back under the same columns.
 */
export const DIMENSION_FIELDS = [
  'serviceName',
  'kind',
  'category',
  'status',
  'surface',
  'deployment',
  'environment',
  'model',
  'provider',
  'operation',
  'promptName',
  'promptVersion',
  'costSource',
] as const satisfies readonly SpanField[];

export type DimensionField = (typeof DIMENSION_FIELDS)[number];

/** The view's columns of those fields: a filter on any of them reads the combinations' codes. */
export const DIMENSION_COLUMNS: readonly string[] = DIMENSION_FIELDS.map((field) => SPAN_FIELD_COLUMNS[field]);

const IN_DIMENSIONS = new Set<SpanField>(DIMENSION_FIELDS);

/** span_rows' columns, in the order of spanRow's cells: `dimensions` where service_name was. */
export const SPAN_ROW_COLUMNS = (Object.keys(SPAN_FIELD_COLUMNS) as SpanField[]).flatMap((field) =>
  field === 'serviceName' ? ['dimensions'] : IN_DIMENSIONS.has(field) ? [] : [SPAN_FIELD_COLUMNS[field]],
);

// One COPY line per span. Hand-written concatenation on purpose, as this runs for every span
// ingested: 2.5-3.9 us per span, against 4.7-7.8 us for a loop over SPAN_FIELD_COLUMNS with
// per-type encoders (1.6-2.2x; 500k spans, 3 rounds, another bench loading Postgres meanwhile).
// The column order is SPAN_ROW_COLUMNS; core/test/spans.test.ts checks that they agree. The
// dimensions are their combination's code (span-dimensions.ts resolves a batch's codes).
export function spanRow(span: SpanRow, dimensions: number): string {
  return (
    span.projectId +
    '\t' +
    copyText(span.tenantId ?? NO_TENANT) +
    '\t' +
    span.traceId +
    '\t' +
    spanIdInteger(span.spanId) +
    '\t' +
    (span.parentSpanId ? spanIdInteger(span.parentSpanId) : '\\N') +
    '\t' +
    copyText(span.name) +
    '\t' +
    dimensions +
    '\t' +
    copyTimestamp(span.startMs) +
    '\t' +
    copyNumber(span.durationMs) +
    '\t' +
    copyText(span.statusMessage) +
    '\t' +
    copyText(span.sessionId) +
    '\t' +
    copyText(span.userId) +
    '\t' +
    copyNumber(span.ttftMs) +
    '\t' +
    usageCells(span) +
    '\t' +
    copyNumber(span.costUsd) +
    '\t' +
    copyNumber(span.reportedCostUsd) +
    '\t' +
    (isEmpty(span.attributes) ? '\\N' : copyJson(span.attributes)) +
    '\t' +
    (span.events.length > 0 ? copyJson(span.events) : '\\N') +
    '\t' +
    (span.cacheHit === true ? 't' : span.cacheHit === false ? 'f' : '\\N') +
    '\n'
  );
}

// Empty attributes are stored as null and read back as '{}' (the view spans).
function isEmpty(attributes: Record<string, unknown>): boolean {
  for (const _ in attributes) return false;
  return true;
}

/** The six token counts, as consecutive COPY fields. */
function usageCells(span: SpanRow): string {
  return (
    copyNumber(span.inputTokens) +
    '\t' +
    copyNumber(span.outputTokens) +
    '\t' +
    copyNumber(span.cacheReadTokens) +
    '\t' +
    copyNumber(span.cacheWriteTokens) +
    '\t' +
    copyNumber(span.reasoningTokens) +
    '\t' +
    copyNumber(span.cacheWrite1hTokens)
  );
}

export const CONTENT_COLUMNS = ['project_id', 'trace_id', 'span_id', 'start_time', 'attributes', 'events'] as const;

/** The span's span_contents row; only for spans that carry content. */
export function contentRow(span: SpanRow): string {
  const content = span.content!;
  return (
    span.projectId +
    '\t' +
    span.traceId +
    '\t' +
    spanIdInteger(span.spanId) +
    '\t' +
    copyTimestamp(span.startMs) +
    '\t' +
    copyJson(content.attributes) +
    '\t' +
    (content.events ? copyJson(content.events) : '\\N') +
    '\n'
  );
}

/**
 * Rows are written in start-time order: the spans' key leads with (project_id, start_time), and
 * inserts at its right edge fill its pages where inserts in arrival order split them (141 against
 * 174 bytes per span in the spans' indexes, on one day of bench:storage's dataset), and the
 * BRIN index on start_time stays narrow. Sorting 2,000 spans costs well under a millisecond.
 */
function inStartOrder<T extends { startMs: number }>(spans: readonly T[]): T[] {
  return spans.slice().sort((a, b) => a.startMs - b.startMs);
}

export function encodeSpanRows<T extends SpanRow>(spans: readonly T[], encode: (span: T) => string): CopyBuffer {
  const data = new CopyBuffer();
  for (const span of inStartOrder(spans)) data.push(encode(span));
  return data;
}

/** encodeSpanRows for the ingest path, in turns of the event loop (see event-loop.ts). */
export async function encodeSpanRowsInTurns<T extends SpanRow>(
  spans: readonly T[],
  encode: (span: T) => string,
): Promise<CopyBuffer> {
  const data = new CopyBuffer();
  await forEachInTurns(inStartOrder(spans), (span) => data.push(encode(span)));
  return data;
}

/** A SELECT list that reads the given fields of `spans` (alias `s`) straight into StoredSpan fields. */
export function selectSpanFields(fields: readonly SpanField[], alias = 's'): string {
  return fields.map((field) => `${columnExpression(field, alias)} as "${field}"`).join(', ');
}

function columnExpression(field: SpanField, alias: string): string {
  const column = `${alias}.${SPAN_FIELD_COLUMNS[field]}`;
  if (field === 'startMs') return `extract(epoch from ${column})::float8 * 1000`;
  if (field === 'traceId') return `vigil_trace_hex(${column})`;
  if (field === 'spanId' || field === 'parentSpanId') return `vigil_span_hex(${column})`;
  return column;
}

/** The SQL SET list that turns stored spans into wrappers: WRAPPER_FIELDS as columns. */
export const WRAPPER_SET_SQL = Object.entries(WRAPPER_FIELDS)
  .map(([field, value]) => `${SPAN_FIELD_COLUMNS[field as SpanField]} = ${value === null ? 'null' : `'${value}'`}`)
  .join(', ');
