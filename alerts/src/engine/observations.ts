// What the engine saw when it evaluated an alert instance: stored in alert_instances.observed and
// alert_events.observed, shown on the dashboard, written into Slack messages and samples. One
// tagged shape per alert kind, so readers switch on `kind` instead of guessing at keys.

/** One burn-rate window pair of an SLO: both windows' burn against the pair's threshold. */
export interface SloWindowObservation {
  long: number;
  short: number;
  threshold: number;
  longBurn: number | null;
  shortBurn: number | null;
  longEvents: number;
  shortEvents: number;
  firing: boolean;
}

export interface SloObservation {
  kind: 'slo';
  /** The SLI as a person reads it: "TTFT ≤ 1000 ms". */
  sli: string;
  objective: number;
  periodMs: number;
  /** Over the whole period (page instances only). */
  periodEvents?: number;
  periodBad?: number;
  /** The share of the period's error budget left; null while the period has no events. */
  budgetRemaining?: number | null;
  /** The fastest pair first. */
  windows: SloWindowObservation[];
}

export interface RuleObservation {
  kind: 'rule';
  metric: string;
  value: number | null;
  op: '>' | '<';
  threshold: number;
  window: number;
  events: number;
}

export interface BudgetObservation {
  kind: 'budget';
  spentUsd: number;
  forecastUsd: number;
  monthlyUsd: number;
  measure: 'spent' | 'forecast';
  fraction: number;
  threshold: number;
  /** When the budget runs out at the last 24 h's rate (ISO); null when it lasts the month. */
  exhaustsAt: string | null;
}

/** One window pair of a budget's burn: spend rate over each window against the budget's even rate. */
export interface BudgetBurnWindow {
  long: number;
  short: number;
  threshold: number;
  /** Spend per hour over the window ÷ the monthly budget's per hour; null while nothing is priced. */
  longBurn: number | null;
  shortBurn: number | null;
  longUsd: number;
  shortUsd: number;
  firing: boolean;
}

/** A budget's burn rate over multiple windows (fast burn pages, slow burn tickets), as for SLOs. */
export interface BudgetBurnObservation {
  kind: 'budget_burn';
  monthlyUsd: number;
  spentUsd: number;
  exhaustsAt: string | null;
  /** The fastest pair first. */
  windows: BudgetBurnWindow[];
}

/** The evaluation itself failed (a query error): the instance goes to its Error state. */
export interface EvaluationErrorObservation {
  kind: 'error';
  error: string;
}

export type AlertObservation =
  | SloObservation
  | RuleObservation
  | BudgetObservation
  | BudgetBurnObservation
  | EvaluationErrorObservation;

/** The number an observation is judged by: SLO burn over the fastest long window, a rule's value, a budget's fraction. */
export function judgedValue(observed: AlertObservation): number | null {
  const value =
    observed.kind === 'slo' || observed.kind === 'budget_burn'
      ? observed.windows[0]?.longBurn
      : observed.kind === 'rule'
        ? observed.value
        : observed.kind === 'budget'
          ? observed.fraction
          : null;
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
