export { AlertEngine, type TickResult } from './engine/engine.ts';
export { ConfigSource } from './config/source.ts';
export { ConfigError, loadAlertsConfig, parseAlertsConfig } from './config/load.ts';
export type { AlertsConfig } from './config/schema.ts';
export { createGateHandler, isGatePath } from './gate/handler.ts';
export { judgeDeployment, findDeployment } from './canary/judge-deployment.ts';
export { promoteDeployment, recordDeployment } from './canary/deployments.ts';
export { rollBack } from './hooks/rollback.ts';
export { verifySignature, sign } from './hooks/signature.ts';
