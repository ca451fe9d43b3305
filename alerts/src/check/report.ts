// What a CI gate (`vigil check …`) says: one verdict, each measure against its limit, as Markdown
// for $GITHUB_STEP_SUMMARY and as JSON. Exit codes: 0 pass, 1 fail, 2 inconclusive.

import { z } from 'zod';
import type { GateVerdict, Interval } from './intervals.ts';

/** What every check of a run's spans takes besides its limits. */
export const gateCommon = {
  projectId: z.string().uuid(),
  deployment: z.string().min(1),
  window: z.object({ from: z.date(), to: z.date() }),
  confidence: z.number().gt(0.5).lt(1).default(0.95),
  /** Fewer requests than this are never enough to pass or fail. */
  minRequests: z.number().int().min(2).default(20),
};

/** A baseline is compared only with an allowed increase, and the other way round. */
export const baselineWithIncrease = [
  (c: { baseline?: string | undefined; maxIncrease?: number | undefined }) =>
    (c.baseline === undefined) === (c.maxIncrease === undefined),
  { message: 'give --baseline and --max-increase together' },
] as const;

const gateVerdict = z.enum(['pass', 'fail', 'inconclusive']);

/** The report, as the checks build it and as `vigil check --api` reads it back from the API. */
export const checkReportSchema = z.object({
  check: z.enum(['cost', 'latency', 'slo', 'evals']),
  verdict: gateVerdict,
  /** What was checked: "deployment ci-1234 (412 requests)". */
  subject: z.string(),
  /** One sentence: why this verdict. */
  summary: z.string(),
  /** Each measure: its estimate and interval as a person reads them, its limit, its verdict. */
  findings: z.array(z.object({ measure: z.string(), value: z.string(), limit: z.string(), verdict: gateVerdict })),
  /** The figures behind the findings, for --json readers. */
  figures: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
});

export type CheckReport = z.infer<typeof checkReportSchema>;
export type CheckFinding = CheckReport['findings'][number];

export const CHECK_EXIT: Record<GateVerdict, number> = { pass: 0, fail: 1, inconclusive: 2 };

/** Fail if any measure fails, else Inconclusive if any is, else Pass; no measure is Inconclusive. */
export function overallVerdict(findings: readonly CheckFinding[]): GateVerdict {
  if (findings.some((f) => f.verdict === 'fail')) return 'fail';
  if (findings.length === 0 || findings.some((f) => f.verdict === 'inconclusive')) return 'inconclusive';
  return 'pass';
}

const ICON: Record<GateVerdict, string> = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠️ inconclusive' };

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdownReport(report: CheckReport): string {
  const lines = [
    `### Vigil ${report.check} check: ${ICON[report.verdict]}`,
    '',
    `${report.subject}. ${report.summary}`,
    '',
  ];
  if (report.findings.length) {
    lines.push('| measure | value | limit | result |', '| --- | --- | --- | --- |');
    for (const f of report.findings)
      lines.push(`| ${cell(f.measure)} | ${cell(f.value)} | ${cell(f.limit)} | ${ICON[f.verdict]} |`);
    lines.push('');
  }
  return lines.join('\n');
}

/** "$0.0042 (95% CI $0.0038–$0.0047)". */
export function formatInterval(interval: Interval, format: (v: number) => string): string {
  return `${format(interval.estimate)} (${Math.round(interval.confidence * 100)}% CI ${format(interval.low)}–${format(interval.high)})`;
}

/** Why the verdict, in a sentence: too few samples, a limit exceeded, all held, or undecided. */
export function verdictSummary(verdict: GateVerdict, samples: number, minSamples: number, noun: string): string {
  if (samples < minSamples) return `${samples} ${noun}: fewer than ${minSamples}, too few to decide.`;
  if (verdict === 'fail') return 'A limit is exceeded with confidence.';
  if (verdict === 'pass') return 'Every limit holds with confidence.';
  return 'A limit lies inside the confidence interval: more requests would decide.';
}

/** "12.5%", from a fraction. */
export const percent = (fraction: number) => `${(100 * fraction).toFixed(1)}%`;

/** "+12.5%" or "-3.0%": a change, from a fraction. */
export const signedPercent = (fraction: number) => `${fraction >= 0 ? '+' : ''}${percent(fraction)}`;
