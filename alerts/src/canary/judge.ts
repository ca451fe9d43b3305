// The canary judge: each metric of the canary is compared with the baseline's calls over the same
// time, and counts as worse ("high") only when a sequential test says it is worse than its allowed
// increase. The test (sequential.ts) stays at its error rate however often it is checked, so the
// judge can look at every canary call since the deployment started on every tick: a huge
// regression is decided on a handful of calls, noise never is. Latency, TTFT and cost are compared
// on the log scale (their ratio), with a second test on the tail (more canary calls above the
// baseline's p95); errors as rates. Critical metrics fail the canary at once. Pass needs minSamples
// calls of each; until then the verdict says how many more calls a decision needs at the effect
// seen so far. Score = weighted share of metrics that pass, after Kayenta's NetflixACAJudge.

import type { CanaryConfig } from '../config/schema.ts';
import { scoreDropTest } from './score-test.ts';
import { alwaysValidPValue, meanAndVariance, samplesNeeded } from './sequential.ts';
import { binomialUpperTail, quantileSorted, sorted } from './statistics.ts';

export type JudgedMetric = 'latency' | 'ttft' | 'errors' | 'cost_per_request';
export const JUDGED_METRICS: readonly JudgedMetric[] = ['latency', 'ttft', 'errors', 'cost_per_request'];

export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

/** An evaluation judged like a metric: `eval:faithfulness`. */
export type EvaluationMetric = `eval:${string}`;

export interface Sides {
  canary: number[];
  baseline: number[];
}

/**
 * Per-request values: latency and TTFT in ms, errors as 0/1, cost in USD; and, where the slices
 * have them, each evaluation's scores.
 */
export type Samples = Record<JudgedMetric, Sides> & { evaluations?: ReadonlyMap<string, Sides> };

export interface Summary {
  n: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
}

export interface MetricResult {
  metric: JudgedMetric | EvaluationMetric;
  classification: 'pass' | 'high' | 'nodata';
  canary: Summary;
  baseline: Summary;
  /** Relative shift for latency, TTFT and cost (0.3 = 30% worse); absolute rate difference for errors. */
  effect: number | null;
  /** Relative increase of p95 (latency, TTFT, cost). */
  tailEffect: number | null;
  /** Always-valid p-values of "worse than allowed" (location, tail). */
  pValue: number | null;
  tailPValue: number | null;
  /** More canary calls needed to call it worse, at the effect seen so far; null when it is not worse. */
  callsNeeded: number | null;
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

/** Canary calls before any test: a variance from fewer is noise. */
const MIN_CANARY_CALLS = 5;
/** Canary calls before the tail test: whether a few calls lie above a p95 says little before this. */
const MIN_TAIL_CALLS = 20;
/** The mixing variances: the effect sizes found fastest (a doubling; 10 points of error rate). */
const LOG_TAU2 = Math.LN2 ** 2;
const RATE_TAU2 = 0.1 ** 2;
/** Values at or under these count as these on the log scale (a 0 ms TTFT, a free call). */
const LOG_FLOOR: Record<Exclude<JudgedMetric, 'errors'>, number> = { latency: 1, ttft: 1, cost_per_request: 1e-7 };

interface Test {
  effect: number;
  pValue: number;
  callsNeeded: number | null;
}

/**
 * Looks the judge may take while a canary has fewer than MIN_TAIL_CALLS calls (every tick from its
 * 5th call to its 20th): the exact test below is held to alpha over that many, a Bonferroni bound.
 */
const SMALL_CANARY_LOOKS = 10;

/** Is the canary's rate above the baseline's by more than allowed? (errors; the tail's exceedances) */
function rateTest(kc: number, nc: number, kb: number, nb: number, allowed: number, alpha: number): Test {
  const pc = kc / nc;
  const pb = kb / nb;
  // On a few calls the normal approximation behind the mixture test is far off: it called 2
  // errors in 10 calls against a 1% baseline significant (p ≈ 0.01, a critical Fail), where the
  // exact chance of 2 or more at the allowed 3% is 0.04. Below MIN_TAIL_CALLS the exact binomial
  // tail at the allowed rate decides instead: 5 errors in 5 calls still fail at once.
  if (nc < MIN_TAIL_CALLS) {
    const pValue = Math.min(1, SMALL_CANARY_LOOKS * binomialUpperTail(kc, nc, Math.min(1, pb + allowed)));
    return { effect: pc - pb, pValue, callsNeeded: pValue < alpha ? 0 : null };
  }
  // The pooled rate, but never 0: no errors in either says little about their variance.
  const pooled = Math.max((kc + kb) / (nc + nb), 1 / (nc + nb), pb);
  const perCall = pooled * (1 - pooled);
  const v = perCall / nc + perCall / nb;
  const effect = pc - pb;
  return {
    effect,
    pValue: alwaysValidPValue(effect, allowed, v, RATE_TAU2),
    callsNeeded: samplesNeeded(effect, allowed, perCall, perCall / nb, RATE_TAU2, alpha, nc),
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
  const nc = canary.length;
  const nb = baseline.length;
  const counts = `canary ${nc}, baseline ${nb}`;
  if (nc < MIN_CANARY_CALLS || nb < config.minSamples) {
    return {
      ...base,
      classification: 'nodata',
      effect: null,
      tailEffect: null,
      pValue: null,
      tailPValue: null,
      callsNeeded: null,
      reason: `fewer than ${nc < MIN_CANARY_CALLS ? `${MIN_CANARY_CALLS} canary` : `${config.minSamples} baseline`} samples (${counts})`,
    };
  }
  const alpha = 1 - config.confidence;
  const enough = nc >= config.minSamples;
  const waiting = (needed: number | null, seen: string) =>
    `${seen}; ${needed === null ? 'no sign of worse yet' : `about ${needed} more canary calls to decide at this effect`}, ${config.minSamples - nc} more to pass (${counts})`;

  if (metric === 'errors') {
    let kc = 0;
    let kb = 0;
    for (const v of canary) kc += v;
    for (const v of baseline) kb += v;
    const test = rateTest(kc, nc, kb, nb, settings.allowedIncrease, alpha);
    const high = test.pValue < alpha;
    const criticalFailure =
      settings.critical && settings.criticalIncrease !== undefined && high && test.effect > settings.criticalIncrease;
    const seen = `error rate ${pct(base.canary.mean!)} vs ${pct(base.baseline.mean!)}`;
    const reason = high
      ? `${seen} (p=${pValue(test.pValue)})`
      : enough
        ? `${seen}: within +${pct(settings.allowedIncrease)} or not significant`
        : waiting(test.callsNeeded, seen);
    return {
      ...base,
      classification: high ? 'high' : enough ? 'pass' : 'nodata',
      effect: test.effect,
      tailEffect: null,
      pValue: test.pValue,
      tailPValue: null,
      callsNeeded: high ? 0 : test.callsNeeded,
      criticalFailure,
      reason,
    };
  }

  // Two tests per metric (location and tail), each at half the level.
  const perTest = alpha / 2;
  const floor = LOG_FLOOR[metric];
  const logOf = (values: Float64Array) => values.map((v) => Math.log(Math.max(v, floor)));
  const c = meanAndVariance(logOf(canary));
  const b = meanAndVariance(logOf(baseline));
  // The canary's own variance from a few calls is unreliable; the baseline's is its floor.
  const canaryVariance = Math.max(c.variance, b.variance);
  const logDiff = c.mean - b.mean;
  const theta0 = Math.log1p(settings.allowedIncrease);
  const location: Test = {
    effect: Math.expm1(logDiff),
    pValue: alwaysValidPValue(logDiff, theta0, canaryVariance / nc + b.variance / nb, LOG_TAU2),
    callsNeeded: samplesNeeded(logDiff, theta0, canaryVariance, b.variance / nb, LOG_TAU2, perTest, nc),
  };
  const shifted = location.pValue < perTest;
  // Tail: are more canary calls above the baseline's p95 than the baseline's own share, by more
  // than that share again (twice as many slow calls)?
  const baselineP95 = base.baseline.p95!;
  const tailEffect = baselineP95 > 0 ? base.canary.p95! / baselineP95 - 1 : null;
  let tail: Test | null = null;
  if (nc >= MIN_TAIL_CALLS) {
    let kc = 0;
    let kb = 0;
    for (const v of canary) if (v > baselineP95) kc++;
    for (const v of baseline) if (v > baselineP95) kb++;
    tail = rateTest(kc, nc, kb, nb, Math.max(kb / nb, 0.01), perTest);
  }
  const tailWorse =
    tail !== null && tailEffect !== null && tail.pValue < perTest && tailEffect > settings.allowedIncrease;
  const high = shifted || tailWorse;
  const worst = Math.max(location.effect, tailEffect ?? 0);
  const criticalFailure =
    settings.critical && settings.criticalIncrease !== undefined && high && worst > settings.criticalIncrease;
  const unit = metric === 'cost_per_request' ? '$' : 'ms';
  const seen = `shift ${signedPct(location.effect)}, p95 ${fmt(base.canary.p95!, unit)} vs ${fmt(baselineP95, unit)}`;
  const reason = high
    ? `${shifted ? `shift ${signedPct(location.effect)} (p=${pValue(location.pValue)})` : ''}${shifted && tailWorse ? ', ' : ''}${tailWorse ? `p95 ${fmt(base.canary.p95!, unit)} vs ${fmt(baselineP95, unit)} (p=${pValue(tail!.pValue)})` : ''}`
    : enough
      ? `${seen}: within +${pct(settings.allowedIncrease)} or not significant`
      : waiting(location.callsNeeded, seen);
  return {
    ...base,
    classification: high ? 'high' : enough ? 'pass' : 'nodata',
    effect: location.effect,
    tailEffect,
    pValue: location.pValue,
    tailPValue: tail?.pValue ?? null,
    callsNeeded: high ? 0 : location.callsNeeded,
    criticalFailure,
    reason,
  };
}

/** An evaluation's scores: worse when the canary's mean drops below the baseline's by more than allowed. */
function judgeEvaluation(name: string, sides: Sides, config: CanaryConfig): MetricResult {
  const canary = sorted(sides.canary);
  const baseline = sorted(sides.baseline);
  const base = {
    metric: `eval:${name}` as const,
    canary: summarize(canary),
    baseline: summarize(baseline),
    tailEffect: null,
    tailPValue: null,
    criticalFailure: false,
  };
  const nc = canary.length;
  const nb = baseline.length;
  const counts = `canary ${nc}, baseline ${nb}`;
  if (nc < MIN_CANARY_CALLS || nb < config.minSamples)
    return {
      ...base,
      classification: 'nodata',
      effect: null,
      pValue: null,
      callsNeeded: null,
      reason: `fewer than ${nc < MIN_CANARY_CALLS ? `${MIN_CANARY_CALLS} canary` : `${config.minSamples} baseline`} results (${counts})`,
    };
  const alpha = 1 - config.confidence;
  const { maxDrop } = config.metrics.evaluations;
  const test = scoreDropTest(sides.canary, sides.baseline, maxDrop, alpha);
  const high = test.pValue < alpha;
  const seen = `mean ${test.canaryMean.toFixed(3)} vs ${test.baselineMean.toFixed(3)}`;
  return {
    ...base,
    classification: high ? 'high' : nc >= config.minSamples ? 'pass' : 'nodata',
    effect: -test.drop,
    pValue: test.pValue,
    callsNeeded: high ? 0 : test.resultsNeeded,
    reason: high
      ? `${seen} (p=${pValue(test.pValue)})`
      : nc >= config.minSamples
        ? `${seen}: within −${maxDrop} or not significant`
        : `${seen}; ${config.minSamples - nc} more results to pass (${counts})`,
  };
}

export function judge(samples: Samples, config: CanaryConfig): Judgement {
  const core = JUDGED_METRICS.map((metric) => judgeMetric(metric, samples[metric], config));
  const evaluations = [...(samples.evaluations ?? [])].map(([name, sides]) => judgeEvaluation(name, sides, config));
  const metrics = [...core, ...evaluations];
  // Whether the judge can see at all is the core metrics' question: evaluations are often sparse.
  const withData = metrics.filter((m) => m.classification !== 'nodata');
  const coreWithData = core.filter((m) => m.classification !== 'nodata');
  // 'high' is only ever given with data: the worse metrics are the same among all or withData.
  const worse = metrics.filter((m) => m.classification === 'high');
  const worseReason = `worse: ${worse.map((m) => `${m.metric} ${m.reason}`).join('; ')}`;
  const weightOf = (m: MetricResult) =>
    m.metric.startsWith('eval:') ? config.metrics.evaluations.weight : config.metrics[m.metric as JudgedMetric].weight;
  const critical = metrics.filter((m) => m.criticalFailure);
  if (critical.length > 0) {
    return {
      verdict: 'fail',
      score: 0,
      metrics,
      reason: `critical: ${critical.map((m) => `${m.metric} ${m.reason}`).join('; ')}`,
    };
  }
  // Clearly worse metrics decide before the others have data: even if every metric still
  // without enough calls passed, the score would be under the marginal score.
  const allWeight = [...core, ...evaluations.filter((m) => m.classification !== 'nodata')].reduce(
    (sum, m) => sum + weightOf(m),
    0,
  );
  const worseWeight = worse.reduce((sum, m) => sum + weightOf(m), 0);
  if (worseWeight > 0 && ((allWeight - worseWeight) / allWeight) * 100 < config.marginalScore) {
    return {
      verdict: 'fail',
      score: Math.round(((allWeight - worseWeight) / allWeight) * 1000) / 10,
      metrics,
      reason: worseReason,
    };
  }
  // Kayenta scores 0 when half the metrics have no data; a judge that cannot see is not a Fail.
  if (coreWithData.length * 2 <= core.length) {
    return {
      verdict: 'inconclusive',
      score: 0,
      metrics,
      reason: `not enough data: ${core
        .filter((m) => m.classification === 'nodata')
        .map((m) => `${m.metric} (${m.reason})`)
        .join('; ')}`,
    };
  }
  let passed = 0;
  let total = 0;
  for (const m of withData) {
    total += weightOf(m);
    if (m.classification === 'pass') passed += weightOf(m);
  }
  const score = Math.round((passed / total) * 1000) / 10;
  const reason = worse.length ? worseReason : 'no metric worse than allowed';
  if (score >= config.passScore) return { verdict: 'pass', score, metrics, reason };
  if (score >= config.marginalScore) return { verdict: 'inconclusive', score, metrics, reason: `marginal: ${reason}` };
  return { verdict: 'fail', score, metrics, reason };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const signedPct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
const pValue = (p: number) => (p < 0.0001 ? '<0.0001' : p.toFixed(4));
const fmt = (v: number, unit: string) => (unit === '$' ? `$${v.toFixed(5)}` : `${Math.round(v)} ms`);
