// Evaluation results a span carries, in the GenAI semconv's shape: the event
// gen_ai.evaluation.result with gen_ai.evaluation.name, gen_ai.evaluation.score.value and
// gen_ai.evaluation.score.label, or the same keys on the span itself (an evaluator's own span).
// A result with neither a score nor a label says nothing and is not kept; the explanation is
// content (core/src/spans/content.ts).

import type { EvaluationResult } from '@vigil/core';
import type { Attributes, DecodedEvent } from '../otlp/types.ts';
import { firstId, firstNumber } from './values.ts';

export const EVALUATION_EVENT = 'gen_ai.evaluation.result';
const NAME = ['gen_ai.evaluation.name'];
const SCORE = ['gen_ai.evaluation.score.value'];
const LABEL = ['gen_ai.evaluation.score.label'];

/** The result the keys say (on a span, a span event, or a log event), or null when they say none. */
export function evaluationOfAttributes(attributes: Attributes, atMs: number): EvaluationResult | null {
  const name = firstId(attributes, NAME);
  if (!name) return null;
  const score = firstNumber(attributes, SCORE);
  const label = firstId(attributes, LABEL);
  if (score === null && label === null) return null;
  return { name, score: score !== null && Number.isFinite(score) ? score : null, label, atMs };
}

export function evaluationsOf(
  attributes: Attributes,
  events: readonly DecodedEvent[],
  startMs: number,
): EvaluationResult[] {
  const results: EvaluationResult[] = [];
  const own = evaluationOfAttributes(attributes, startMs);
  if (own) results.push(own);
  for (const event of events) {
    if (event.name !== EVALUATION_EVENT) continue;
    const result = evaluationOfAttributes(event.attributes, event.timeMs);
    if (result) results.push(result);
  }
  return results;
}
