// The alerts part's contribution to the HTTP API: deployments, rollout gates, CI checks, silences,
// alerting overrides, members and the alert reads. Mounted into core's app beside the read routes.

import { type ApiAppOptions, type ApiRoute, createApiApp, readRoutes } from '@vigil/core';
import { alertRoutes } from './alert-routes.ts';
import { checkRoutes } from './check-routes.ts';
import type { AlertsApiOptions } from './context.ts';
import { deploymentRoutes } from './deployment-routes.ts';
import { gateRoutes } from './gate-routes.ts';
import { memberRoutes } from './member-routes.ts';
import { overrideRoutes } from './override-routes.ts';

export type { AlertsApiOptions } from './context.ts';

export function alertsApiRoutes(options: AlertsApiOptions): ApiRoute[] {
  return [
    ...deploymentRoutes(options),
    ...gateRoutes(options),
    ...checkRoutes(options),
    ...alertRoutes(options),
    ...overrideRoutes(options),
    ...memberRoutes(options),
  ];
}

/** The whole HTTP API, core's reads and this part's routes: what `vigil up` serves and the dashboard mounts. */
export function createVigilApi(options: AlertsApiOptions & Omit<ApiAppOptions, 'routes'>) {
  const { pool, config, env, ...app } = options;
  return createApiApp({
    ...app,
    pool,
    routes: [...readRoutes(pool), ...alertsApiRoutes({ pool, config, ...(env ? { env } : {}) })],
  });
}
