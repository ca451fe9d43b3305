export { type AlertsApiOptions, alertsApiRoutes, createVigilApi } from './api/index.ts';
export { findDeployment, judgeDeployment } from './canary/judge-deployment.ts';
export { promoteDeployment, recordDeployment } from './canary/deployments.ts';
export { ConfigError, loadAlertsConfig, parseAlertsConfig } from './config/load.ts';
export { type AlertsConfig, comparedSlicesSchema } from './config/schema.ts';
export { ConfigSource } from './config/source.ts';
export { withProjectOverrides } from './config/effective.ts';
export {
  clearOverrides,
  overridesAudit,
  putOverrides,
  readOverrides,
  readOverridesFile,
  type StoredOverrides,
  validateOverrides,
} from './config/overrides.ts';
export { AlertEngine, type TickResult } from './engine/engine.ts';
export type {
  AlertObservation,
  BudgetObservation,
  EvaluationErrorObservation,
  RuleObservation,
  SloObservation,
  SloWindowObservation,
} from './engine/observations.ts';
export { rollBack } from './hooks/rollback.ts';
export { cohortBucket } from './rollout/cohort.ts';
export { checkCost, costCheckSchema } from './check/cost.ts';
export { checkEvals, evalsCheckSchema } from './check/evals.ts';
export { checkLatency, latencyCheckSchema } from './check/latency.ts';
export { CHECK_EXIT, type CheckReport, checkReportSchema, markdownReport } from './check/report.ts';
export { checkSlo } from './check/slo.ts';
export { parseDuration } from './config/duration.ts';
export { TIME_BUDGET_LABEL } from './config/time-budgets.ts';
export { selectorFilters } from './slo/selector.ts';
export { type EnterStepOutcome, enterStep } from './rollout/enter-step.ts';
export { type Rollout, type RolloutInput, rolloutPlanOf, rolloutSchema } from './rollout/schema.ts';
export { readServing, type Serving } from './reads/serving-reads.ts';
export { sign, verifySignature } from './hooks/signature.ts';
export {
  type AlertHistory,
  type AlertHistoryQuery,
  type AlertInstance,
  type AlertSample,
  type AlertSamplesQuery,
  type AlertsQuery,
  readAlertHistory,
  readAlertSamples,
  readAlerts,
} from './reads/alert-reads.ts';
export { type Deployment, type DeploymentsQuery, readDeployments } from './reads/deployment-reads.ts';
export { countSloEvents, type Counts } from './slo/slo-events.ts';
export { type HistoryPoint, periodBuckets, sloHistory } from './slo/budget-history.ts';
