// The alerts part's contribution to the HTTP API: deployments, rollout gates, silences and the
// alert reads. Mounted into core's app beside the read routes.

import type { ApiRoute } from '@vigil/core';
import { alertRoutes } from './alert-routes.ts';
import type { AlertsApiOptions } from './context.ts';
import { deploymentRoutes } from './deployment-routes.ts';
import { gateRoutes } from './gate-routes.ts';

export type { AlertsApiOptions } from './context.ts';

export function alertsApiRoutes(options: AlertsApiOptions): ApiRoute[] {
  return [...deploymentRoutes(options), ...gateRoutes(options), ...alertRoutes(options)];
}
