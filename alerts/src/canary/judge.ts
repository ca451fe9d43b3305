// The canary judge, after Kayenta's NetflixACAJudge: each metric of the canary is compared with the
// baseline over the same window by a Mann-Whitney test, and counts as worse ("high") only when the
// difference is both significant and larger than the metric's allowed increase. Tails get their own
// test, so a canary that is worse only at p95 is caught. Critical metrics fail the canary at once.
// Score = weighted share of metrics that pass; Pass, Fail and Inconclusive are kept apart (and the
// engine adds Error when the data could not be read).

import type { CanaryConfig } from '../config/schema.ts';
import { fisherGreater, hodgesLehmann, mannWhitney, quantileSorted, sorted } from './statistics.ts';

export type JudgedMetric = 'latency' | 'ttft' | 'errors' | 'cost_per_request';
export const JUDGED_METRICS: readonly JudgedMetric[] = ['latency', 'ttft', 'errors', 'cost_per_request'];

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** Per-request values: latency and TTFT in ms, errors as 0/1, cost in USD. */
export type Samples = Record<JudgedMetric, { canary: number[]; baseline: number[] }>;

export interface Summary {
  n: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
}

export interface MetricResult {
  metric: JudgedMetric;
  classification: 'pass' | 'high' | 'nodata';
  canary: Summary;
  baseline: Summary;
  /** Relative shift for latency, TTFT and cost (0.3 = 30% worse); absolute rate difference for errors. */
  effect: number | null;
  /** Relative increase of p95 (latency, TTFT, cost). */
  tailEffect: number | null;
  pValue: number | null;
  tailPValue: number | null;
  criticalFailure: boolean;
  reason: string;
}

export interface Judgement {
  verdict: Exclude<Verdict, 'error'>;
  score: number;
  metrics: MetricResult[];
  reason: string;
}

function summarize(values: Float64Array): Summary {
  if (values.length === 0) return { n: 0, mean: null, p50: null, p95: null };
  let sum = 0;
  for (const v of values) sum += v;
  return {
    n: values.length,
    mean: sum / values.length,
    p50: quantileSorted(values, 0.5),
    p95: quantileSorted(values, 0.95),
  };
}

function judgeMetric(
  metric: JudgedMetric,
  samples: { canary: number[]; baseline: number[] },
  config: CanaryConfig,
): MetricResult {
  const settings = config.metrics[metric];
  const canary = sorted(samples.canary);
  const baseline = sorted(samples.baseline);
  const base = { metric, canary: summarize(canary), baseline: summarize(baseline), criticalFailure: false };
  if (canary.length < config.minSamples || baseline.length < config.minSamples) {
    return {
      ...base,
      classification: 'nodata',
      effect: null,
      tailEffect: null,
      pValue: null,
      tailPValue: null,
      reason: `fewer than ${config.minSamples} samples (canary ${canary.length}, baseline ${baseline.length})`,
    };
  }
  const alpha = 1 - config.confidence;

  if (metric === 'errors') {
    // Errors are yes/no and rare: Mann-Whitney on 0/1 is a 2×2 table, tested exactly.
    const canaryErrors = Math.round(base.canary.mean! * canary.length);
    const baselineErrors = Math.round(base.baseline.mean! * baseline.length);
    const pGreater = fisherGreater(canaryErrors, canary.length, baseline.length, canaryErrors + baselineErrors);
    const effect = base.canary.mean! - base.baseline.mean!;
    const significant = pGreater < alpha;
    const high = significant && effect > settings.allowedIncrease;
    const criticalFailure =
      settings.critical && settings.criticalIncrease !== undefined && significant && effect > settings.criticalIncrease;
    const reason = high
      ? `error rate ${pct(base.canary.mean!)} vs ${pct(base.baseline.mean!)} (p=${pValue(pGreater)})`
      : `error rate ${pct(base.canary.mean!)} vs ${pct(base.baseline.mean!)}: within +${pct(settings.allowedIncrease)} or not significant`;
    return {
      ...base,
      classification: high ? 'high' : 'pass',
      effect,
      tailEffect: null,
      pValue: pGreater,
      tailPValue: null,
      criticalFailure,
      reason,
    };
  }

  // Two tests per metric (location and tail), each at half the level, so that a metric of an
  // equal canary is still called worse at most 1 − confidence of the time.
  const perTest = alpha / 2;
  const { pGreater } = mannWhitney(samples.canary, samples.baseline);
  // Location: the Hodges-Lehmann shift relative to the baseline's median.
  const scale = base.baseline.p50! > 0 ? base.baseline.p50! : base.baseline.mean! > 0 ? base.baseline.mean! : 1;
  const effect = hodgesLehmann(canary, baseline) / scale;
  const shifted = pGreater < perTest && effect > settings.allowedIncrease;
  // Tail: do more canary than baseline requests land above the pooled p95? Both samples are
  // compared against one threshold from both, so the baseline's own noise is accounted for.
  const baselineP95 = base.baseline.p95!;
  const pooledP95 = quantileSorted(sorted([...samples.canary, ...samples.baseline]), 0.95);
  let canaryAbove = 0;
  let baselineAbove = 0;
  for (const v of canary) if (v > pooledP95) canaryAbove++;
  for (const v of baseline) if (v > pooledP95) baselineAbove++;
  const tailPValue = fisherGreater(canaryAbove, canary.length, baseline.length, canaryAbove + baselineAbove);
  const tailEffect = baselineP95 > 0 ? base.canary.p95! / baselineP95 - 1 : null;
  const tailWorse = tailEffect !== null && tailPValue < perTest && tailEffect > settings.allowedIncrease;
  const high = shifted || tailWorse;
  const worst = Math.max(effect, tailEffect ?? 0);
  const criticalFailure =
    settings.critical && settings.criticalIncrease !== undefined && high && worst > settings.criticalIncrease;
  const unit = metric === 'cost_per_request' ? '$' : 'ms';
  const reason = high
    ? `${shifted ? `median shift ${signedPct(effect)} (p=${pValue(pGreater)})` : ''}${shifted && tailWorse ? ', ' : ''}${tailWorse ? `p95 ${fmt(base.canary.p95!, unit)} vs ${fmt(baselineP95, unit)} (p=${pValue(tailPValue)})` : ''}`
    : `shift ${signedPct(effect)}, p95 ${fmt(base.canary.p95!, unit)} vs ${fmt(baselineP95, unit)}: within +${pct(settings.allowedIncrease)} or not significant`;
  return {
    ...base,
    classification: high ? 'high' : 'pass',
    effect,
    tailEffect,
    pValue: pGreater,
    tailPValue,
    criticalFailure,
    reason,
  };
}

export function judge(samples: Samples, config: CanaryConfig): Judgement {
  const metrics = JUDGED_METRICS.map((metric) => judgeMetric(metric, samples[metric], config));
  const withData = metrics.filter((m) => m.classification !== 'nodata');
  const critical = metrics.filter((m) => m.criticalFailure);
  if (critical.length > 0) {
    return {
      verdict: 'fail',
      score: 0,
      metrics,
      reason: `critical: ${critical.map((m) => `${m.metric} ${m.reason}`).join('; ')}`,
    };
  }
  // Kayenta scores 0 when half the metrics have no data; a judge that cannot see is not a Fail.
  if (withData.length * 2 <= metrics.length) {
    return {
      verdict: 'inconclusive',
      score: 0,
      metrics,
      reason: `not enough data: ${metrics
        .filter((m) => m.classification === 'nodata')
        .map((m) => `${m.metric} (${m.reason})`)
        .join('; ')}`,
    };
  }
  let passed = 0;
  let total = 0;
  for (const m of withData) {
    const weight = config.metrics[m.metric].weight;
    total += weight;
    if (m.classification === 'pass') passed += weight;
  }
  const score = Math.round((passed / total) * 1000) / 10;
  const worse = withData.filter((m) => m.classification === 'high');
  const reason = worse.length
    ? `worse: ${worse.map((m) => `${m.metric} ${m.reason}`).join('; ')}`
    : 'no metric worse than allowed';
  if (score >= config.passScore) return { verdict: 'pass', score, metrics, reason };
  if (score >= config.marginalScore) return { verdict: 'inconclusive', score, metrics, reason: `marginal: ${reason}` };
  return { verdict: 'fail', score, metrics, reason };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const signedPct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
const pValue = (p: number) => (p < 0.0001 ? '<0.0001' : p.toFixed(4));
const fmt = (v: number, unit: string) => (unit === '$' ? `$${v.toFixed(5)}` : `${Math.round(v)} ms`);
