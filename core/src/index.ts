// @vigil/core: what several parts of Vigil share. Other parts import from here only; what is not
// exported here is core's own business.

export {
  CONFIG_DEFAULTS,
  ConfigError,
  configSchema,
  loadConfig,
  redactDatabaseUrl,
  type VigilConfig,
} from './config.ts';
export { CopyBuffer } from './db/copy-buffer.ts';
export { copyRows } from './db/copy-rows.ts';
export { type Database, type OpenDatabaseOptions, openDatabase } from './db/database.ts';
export { type EmbeddedPostgresOptions, type RunningPostgres, startEmbeddedPostgres } from './db/embedded.ts';
export { freshDatabase } from './db/fresh-database.ts';
export { loadMigrations, type Migration, migrate, migratePool, migrationsDirectory } from './db/migrate.ts';
export { createPool, type PoolOptions } from './db/pool.ts';
export { HistogramBuilder, LogHistogram } from './histogram/log-histogram.ts';
export {
  addExplicitBuckets,
  addExponentialBuckets,
  type ExplicitBuckets,
  type ExponentialBuckets,
} from './histogram/otlp-buckets.ts';
export { type ApiAppOptions, API_BASE, createApiApp, MAX_API_BODY_BYTES, PROJECT_HEADER } from './http/app.ts';
export {
  AuthError,
  type CallerOptions,
  callerFromToken,
  signToken,
  subjectFromToken,
  type TokenRequest,
  type TokenSubject,
  type VerifyOptions,
} from './http/auth.ts';
export * from './access/roles.ts';
export {
  listMembers,
  type Member,
  memberAudit,
  memberCaller,
  memberSchema,
  putMember,
  readMembers,
  removeMember,
} from './access/members.ts';
export { inTransaction } from './db/transaction.ts';
export { bearerToken } from './http/bearer.ts';
export { ApiError, type ApiErrorBody, type ApiErrorCode, isRowSecurityRefusal } from './http/errors.ts';
export { readRoute, readRoutes } from './http/read-routes.ts';
export { type ApiRoute, defineRoute, type RouteInput, type RouteResult } from './http/route.ts';
export { type RunningServer, serveApp } from './http/serve.ts';
export { resolveJwtSecret } from './http/jwt-secret.ts';
export { catalogInfo, createPriceCatalog, type PriceCatalog } from './prices/catalog.ts';
export type { ModelPriceOverride, PriceQuery, PriceResult } from './prices/types.ts';
export { type PricedSpan, priceSpan, priceSpans } from './prices/price-spans.ts';
export { loadPriceCatalog } from './prices/project-catalog.ts';
export { type PricingDay, recordPricingDays } from './prices/pricing-days.ts';
export { type RepricedDay, type RepriceOptions, repriceDays } from './prices/reprice.ts';
export * from './projects.ts';
export {
  type Caller,
  type CallerTransaction,
  callerCan,
  callerSchema,
  isTenantScoped,
  memberRoleOf,
  SERVICE_CALLER,
  withCaller,
} from './query/caller.ts';
export { cacheOf, type MetricsPoint, type Tokens } from './query/metrics.ts';
export {
  type BudgetStatus,
  budgetBurnRate,
  exhaustionOf,
  type MonthSpend,
  monthSpend,
  readBudgets,
  type Spend,
  spendOf,
  utcMonthMs,
} from './query/read-budgets.ts';
export {
  type CostCoverage,
  type ReportedCost,
  readCostCoverage,
  readReportedCost,
  type UnpricedModel,
} from './query/read-cost.ts';
export {
  DISTRIBUTION_EDGES_MS,
  type DistributionBin,
  readCostSli,
  readDistribution,
  readMetrics,
  readRecentStart,
  readSamples,
  readSli,
  type Samples,
  type SliResult,
} from './query/read-metrics.ts';
export { type RequestSamples, type RequestsQuery, readRequestSamples } from './query/read-requests.ts';
export {
  readCostByUser,
  readSessionCostByTenant,
  readTopSessions,
  type SessionSummary,
  type TenantSessionCost,
  type UserCost,
} from './query/read-sessions.ts';
export { readTrace, readTraces, type TraceLog, type TraceSpan, type TraceSummary } from './query/read-traces.ts';
export { type CacheSurface, cacheSavings, readCacheSavings } from './query/read-cache.ts';
export { readUserModelCost, type UserModelCost } from './query/read-user-cost.ts';
export * from './query/schemas.ts';
export { bulkLoadSpans } from './rollups/bulk-load.ts';
export { EVALUATION_COLUMNS, writeEvaluations } from './evaluations/write-evaluations.ts';
export {
  attachHeldEvaluations,
  HELD_EVALUATION_MS,
  type HeldEvaluation,
  holdEvaluations,
} from './evaluations/held-evaluations.ts';
export {
  type EvaluationScoresQuery,
  type EvaluationSlice,
  type EvaluationSummary,
  readEvaluationScores,
  readEvaluationScoresByName,
  readEvaluationSummary,
} from './evaluations/read-evaluations.ts';
export { type CompactionOptions, type CompactionResult, compactRollups } from './rollups/compactor.ts';
export { CUBOIDS, type Cuboid, chooseCuboid, DIMENSIONS, type Dimension } from './rollups/cuboids.ts';
export { type ChangedSpan, writeRollupDeltas } from './rollups/deltas.ts';
export { holdMetricDeltas, METRIC_HOLD_MS, releaseMetricDeltas } from './rollups/metric-deltas.ts';
export { type Maintenance, type MaintenanceOptions, startMaintenance } from './rollups/maintenance.ts';
export { DEFAULT_RETENTION, enforceRetention, type RetentionSettings } from './rollups/retention.ts';
export {
  DAY_MS,
  floorTo,
  HOUR_MS,
  keyString,
  MINUTE_MS,
  RollupAggregate,
  type RollupKey,
  RollupMap,
} from './rollups/rollup-rows.ts';
export * from './spans/index.ts';
export type { TokenUsage } from './usage.ts';
export { forEachInTurns, ITEMS_PER_TURN } from './event-loop.ts';
export { seededRandom } from './seeded-random.ts';
export { isValidHostHeader } from './http/host.ts';
export {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEvent,
  type AuditQuery,
  type AuditRow,
  auditOfCaller,
  auditQuerySchema,
  ENGINE_ACTOR,
  readAudit,
  recordAudit,
} from './audit/audit-log.ts';
