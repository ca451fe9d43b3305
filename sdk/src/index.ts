export { init, shutdown, type Vigil } from './init.ts';
export type { InitOptions } from './options.ts';
export { withContext, currentContext, type VigilContext, TENANT_KEY, SESSION_KEY, USER_KEY } from './context.ts';
export { vigilMiddleware, withRequestContext, withVigil } from './middleware.ts';
export { traceCache, type TraceCacheOptions } from './cache.ts';
export { traceModelCall, type TraceModelCallOptions } from './trace-model-call.ts';
export { redact } from './redact.ts';
export { setSurface, SURFACE_KEY } from './surface.ts';
export { type DeploymentRouter, type DeploymentRouterOptions, deploymentRouter } from './deployment-router.ts';
