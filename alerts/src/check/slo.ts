// `vigil check slo`: is any SLO of the project burning past its page threshold right now? The
// same definitions and burn-rate windows the engine pages on, evaluated once; optionally narrowed
// to one deployment's traffic (a CI run, a canary). Fail when a page window pair burns, Pass when
// every page SLO has data and none burns, Inconclusive when one could not be evaluated or had none.

import type pg from 'pg';
import type { AlertsConfig } from '../config/schema.ts';
import { alertDefinitions } from '../engine/definitions.ts';
import type { GateVerdict } from './intervals.ts';
import { type CheckFinding, type CheckReport, overallVerdict } from './report.ts';

export interface SloCheck {
  projectId: string;
  projectName: string;
  /** Only this deployment's traffic, when given. */
  deployment?: string | undefined;
  now?: number;
}

const burn = (v: number | null) => (v === null ? '—' : `${v.toFixed(1)}×`);

export async function checkSlo(pool: pg.Pool, config: AlertsConfig, check: SloCheck): Promise<CheckReport> {
  const now = check.now ?? Date.now();
  const slos = config.slos
    .filter((s) => s.project === check.projectName && s.alerting)
    .map((s) => (check.deployment ? { ...s, selector: { ...s.selector, deployment: [check.deployment] } } : s));
  const { definitions } = alertDefinitions(
    { ...config, slos, rules: [], budgets: [] },
    new Map([[check.projectName, check.projectId]]),
  );
  const findings: CheckFinding[] = [];
  for (const definition of definitions.filter((d) => d.kind === 'slo' && d.severity === 'page')) {
    const evaluation = await definition.evaluate(pool, now).catch((error: Error) => ({
      observation: 'error' as const,
      observed: { kind: 'error' as const, error: error.message },
    }));
    const observed = evaluation.observed;
    if (observed.kind !== 'slo') {
      findings.push({
        measure: definition.name,
        value: observed.kind === 'error' ? `not evaluated: ${observed.error}` : 'not an SLO',
        limit: 'not burning',
        verdict: 'inconclusive',
      });
      continue;
    }
    const verdict: GateVerdict =
      evaluation.observation === 'true' ? 'fail' : evaluation.observation === 'false' ? 'pass' : 'inconclusive';
    const pairs = observed.windows.map(
      (w) =>
        `${Math.round(w.long / 60_000)}m/${Math.round(w.short / 60_000)}m ${burn(w.longBurn)}/${burn(w.shortBurn)}`,
    );
    findings.push({
      measure: `${definition.name} (${observed.sli}, ${observed.objective}%)`,
      value: evaluation.observation === 'nodata' ? `no data: ${pairs.join(', ')}` : pairs.join(', '),
      limit: observed.windows.map((w) => `${w.threshold}×`).join(', '),
      verdict,
    });
  }
  const verdict = overallVerdict(findings);
  const scope = check.deployment ? `deployment ${check.deployment} of ` : '';
  return {
    check: 'slo',
    verdict,
    subject: `${findings.length} page SLO(s) of ${scope}project ${check.projectName}`,
    summary:
      findings.length === 0
        ? 'The project has no page-severity SLO to check.'
        : verdict === 'fail'
          ? 'An SLO burns its error budget past its page threshold.'
          : verdict === 'pass'
            ? 'No SLO burns past its page threshold.'
            : 'An SLO had no data or could not be evaluated.',
    findings,
    figures: {
      slos: findings.length,
      burning: findings.filter((f) => f.verdict === 'fail').length,
      undecided: findings.filter((f) => f.verdict === 'inconclusive').length,
    },
  };
}
