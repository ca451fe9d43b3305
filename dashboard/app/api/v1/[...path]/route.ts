// Vigil's HTTP API served by the dashboard too: the same Hono app `vigil up` serves on its API
// port (createVigilApi: core's reads and the alerts part's routes), mounted as one Next.js route handler.

import { createVigilApi } from '@vigil/alerts';
import { alertsConfigSource } from '../../../../lib/alerts-config.ts';
import { pool } from '../../../../lib/db.ts';

let app: ReturnType<typeof createVigilApi> | undefined;

function api(): ReturnType<typeof createVigilApi> {
  if (!app) {
    const secret = process.env.VIGIL_JWT_SECRET;
    if (!secret) throw new Error('VIGIL_JWT_SECRET is not set: start the dashboard with `vigil up`');
    app = createVigilApi({
      pool: pool(),
      config: alertsConfigSource().current,
      jwtSecret: secret,
      ...(process.env.VIGIL_JWKS_URL ? { jwksUrl: process.env.VIGIL_JWKS_URL } : {}),
      log: (message) => console.error(`[api] ${message}`),
    });
  }
  return app;
}

const handle = (request: Request) => api().fetch(request);

export const GET = handle;
export const POST = handle;
export const PUT = handle;
export const DELETE = handle;
