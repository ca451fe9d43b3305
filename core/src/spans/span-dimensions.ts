// The codes of span dimension combinations (columns.ts: DIMENSION_FIELDS) that writers COPYing
// into span_rows need: cached per writer, read from or added to span_dimensions per batch.

import type pg from 'pg';
import { copyRows } from '../db/copy-rows.ts';
import { DIMENSION_FIELDS, encodeSpanRows, SPAN_ROW_COLUMNS, spanRow } from './columns.ts';
import type { SpanRow } from './stored-span.ts';

// A trie of Maps, one level per dimension field, null a key of its own: a span's code is a Map
// lookup per field, where a string key would be built for every span.
type Trie = Map<string | number | null, Trie | number>;

// vigil_span_dimension_codes' array arguments, one per field.
const ARGUMENTS = DIMENSION_FIELDS.map((field, i) => `$${i + 2}::${field === 'kind' ? 'smallint' : 'text'}[]`).join(
  ', ',
);

// Past this many cached combinations the cache starts over: a collector serving many projects
// keeps the combinations it sees, not every one it ever saw.
const MAX_CACHED_COMBINATIONS = 200_000;

function find(trie: Trie | undefined, span: SpanRow): number | undefined {
  let node: Trie | number | undefined = trie;
  for (const field of DIMENSION_FIELDS) {
    if (node === undefined || typeof node === 'number') return undefined;
    node = node.get(span[field]);
  }
  return typeof node === 'number' ? node : undefined;
}

/** Adds a combination's code; true when it was new. */
function add(trie: Trie, span: SpanRow, code: number): boolean {
  let node = trie;
  const last = DIMENSION_FIELDS.length - 1;
  for (let i = 0; i < last; i++) {
    const value = span[DIMENSION_FIELDS[i]!];
    let next = node.get(value);
    if (next === undefined || typeof next === 'number') node.set(value, (next = new Map()));
    node = next;
  }
  const value = span[DIMENSION_FIELDS[last]!];
  if (node.has(value)) return false;
  node.set(value, code);
  return true;
}

/**
 * The codes a writer knows to be committed, shared by its batches. A code never changes once
 * committed, so a cached code stays right; codes a batch adds are cached only once it commits
 * (BatchDimensions.commit), since another batch could otherwise write a code a rollback removes.
 */
export class SpanDimensionCodes {
  readonly #projects = new Map<string, Trie>();
  #size = 0;

  /**
   * The code of every span's combination. Those not cached are read from span_dimensions, and
   * those not in it are added in the client's transaction, so they commit or roll back with it.
   */
  async resolve(client: pg.ClientBase, spans: readonly SpanRow[]): Promise<BatchDimensions> {
    const codes = new Map<SpanRow, number>();
    // Per project, each combination not cached once (the first span that has it), and which of
    // them each other such span has.
    const missing = new Map<string, { unique: SpanRow[]; seen: Trie; spans: Map<SpanRow, number> }>();
    for (const span of spans) {
      const code = find(this.#projects.get(span.projectId), span);
      if (code !== undefined) {
        codes.set(span, code);
        continue;
      }
      let project = missing.get(span.projectId);
      if (!project) missing.set(span.projectId, (project = { unique: [], seen: new Map(), spans: new Map() }));
      let index = find(project.seen, span);
      if (index === undefined) {
        index = project.unique.push(span) - 1;
        add(project.seen, span, index);
      }
      project.spans.set(span, index);
    }
    const fresh: SpanRow[] = [];
    for (const [projectId, { unique, spans: others }] of missing) {
      const { rows } = await client.query<{ ord: string; code: number }>(
        `select ord, code from vigil_span_dimension_codes($1::uuid, ${ARGUMENTS})`,
        [projectId, ...DIMENSION_FIELDS.map((field) => unique.map((span) => span[field]))],
      );
      const byIndex = new Array<number>(unique.length);
      for (const row of rows) byIndex[Number(row.ord) - 1] = row.code;
      for (const [span, index] of others) codes.set(span, byIndex[index]!);
      fresh.push(...unique);
    }
    return new BatchDimensions(this, codes, fresh);
  }

  /** Caches the code of a span's combination, once committed. */
  remember(span: SpanRow, code: number): void {
    let trie = this.#projects.get(span.projectId);
    if (!trie) this.#projects.set(span.projectId, (trie = new Map()));
    if (add(trie, span, code)) this.#size++;
    if (this.#size > MAX_CACHED_COMBINATIONS) {
      this.#projects.clear();
      this.#size = 0;
    }
  }
}

/** The codes of one batch's spans. */
export class BatchDimensions {
  readonly #cache: SpanDimensionCodes;
  readonly #codes: Map<SpanRow, number>;
  readonly #fresh: SpanRow[];

  constructor(cache: SpanDimensionCodes, codes: Map<SpanRow, number>, fresh: SpanRow[]) {
    this.#cache = cache;
    this.#codes = codes;
    this.#fresh = fresh;
  }

  /** The code of a span of the batch. */
  code(span: SpanRow): number {
    const code = this.#codes.get(span);
    if (code === undefined) throw new Error('a span outside the batch its dimensions were resolved for');
    return code;
  }

  /** Call once the batch's transaction has committed. */
  commit(): void {
    for (const span of this.#fresh) this.#cache.remember(span, this.code(span));
  }
}

/**
 * COPYs spans into span_rows in the client's transaction, their combinations' codes resolved
 * first; commit() the returned codes once the transaction commits. The bulk path's write (the
 * collector's adds turns of the event loop and a retry through a staging table).
 */
export async function copySpanRows(
  client: pg.ClientBase,
  spans: readonly SpanRow[],
  codes: SpanDimensionCodes,
): Promise<BatchDimensions> {
  const dimensions = await codes.resolve(client, spans);
  await copyRows(
    client,
    'span_rows',
    SPAN_ROW_COLUMNS,
    encodeSpanRows(spans, (span) => spanRow(span, dimensions.code(span))),
  );
  return dimensions;
}
