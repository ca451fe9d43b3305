// Model-call usage summed over spans or stored rows: calls, tokens by type and cost. Rollup rows
// and session rows both carry it, under the same column names.

import { copyNumber } from '../db/copy-text.ts';
import type { RollupSpan } from '../spans/index.ts';

export interface UsageColumns {
  model_calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_usd: number;
}

/** The columns in the order `toCopy` writes them. */
export const USAGE_COLUMNS = [
  'model_calls',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'cost_usd',
] as const;

export class UsageTotals {
  modelCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  cacheReadTokens = 0;
  cacheWriteTokens = 0;
  reasoningTokens = 0;
  costUsd = 0;

  /** Only counted model calls carry usage (wrappers are stored as category 'other'). */
  addSpan(span: RollupSpan, sign: 1 | -1): void {
    if (span.category !== 'model') return;
    this.modelCalls += sign;
    this.inputTokens += sign * (span.inputTokens ?? 0);
    this.outputTokens += sign * (span.outputTokens ?? 0);
    this.cacheReadTokens += sign * (span.cacheReadTokens ?? 0);
    this.cacheWriteTokens += sign * (span.cacheWriteTokens ?? 0);
    this.reasoningTokens += sign * (span.reasoningTokens ?? 0);
    this.costUsd += sign * (span.costUsd ?? 0);
  }

  addRow(row: UsageColumns, sign: 1 | -1 = 1): void {
    this.modelCalls += sign * Number(row.model_calls);
    this.inputTokens += sign * Number(row.input_tokens);
    this.outputTokens += sign * Number(row.output_tokens);
    this.cacheReadTokens += sign * Number(row.cache_read_tokens);
    this.cacheWriteTokens += sign * Number(row.cache_write_tokens);
    this.reasoningTokens += sign * Number(row.reasoning_tokens);
    this.costUsd += sign * Number(row.cost_usd);
  }

  isZero(): boolean {
    return (
      this.modelCalls === 0 &&
      this.inputTokens === 0 &&
      this.outputTokens === 0 &&
      this.cacheReadTokens === 0 &&
      this.cacheWriteTokens === 0 &&
      this.reasoningTokens === 0 &&
      this.costUsd === 0
    );
  }

  merge(other: UsageTotals): void {
    this.modelCalls += other.modelCalls;
    this.inputTokens += other.inputTokens;
    this.outputTokens += other.outputTokens;
    this.cacheReadTokens += other.cacheReadTokens;
    this.cacheWriteTokens += other.cacheWriteTokens;
    this.reasoningTokens += other.reasoningTokens;
    this.costUsd += other.costUsd;
  }

  /** COPY text of USAGE_COLUMNS, tab separated. */
  toCopy(): string {
    return (
      this.modelCalls +
      '\t' +
      this.inputTokens +
      '\t' +
      this.outputTokens +
      '\t' +
      this.cacheReadTokens +
      '\t' +
      this.cacheWriteTokens +
      '\t' +
      this.reasoningTokens +
      '\t' +
      copyNumber(this.costUsd)
    );
  }
}
