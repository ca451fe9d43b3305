// The JSON HTTP API (/api/v1/...): a fetch-style handler, so the dashboard's Next.js route handlers
// and Vigil's own server mount the same code. Every route is a POST of a JSON query, answered by
// the query API as the token's caller.

import { ZodError } from 'zod';
import type { Caller } from '../query/caller.ts';
import type { QueryApi } from '../query/query-api.ts';
import { AuthError, callerFromToken } from './auth.ts';

const MAX_BODY_BYTES = 64 * 1024;

type Route = (api: QueryApi, caller: Caller, body: Record<string, unknown>) => Promise<unknown>;

const ROUTES: Record<string, Route> = {
  '/api/v1/metrics': (api, caller, body) => api.metrics(caller, body as never),
  '/api/v1/sli': (api, caller, body) => api.sli(caller, body as never),
  '/api/v1/sessions/top': (api, caller, body) => api.topSessions(caller, body as never),
  '/api/v1/users/cost': (api, caller, body) => api.costByUser(caller, body as never),
  '/api/v1/tenants/session-cost': (api, caller, body) => api.sessionCostByTenant(caller, body as never),
  '/api/v1/budgets': (api, caller, body) => api.budgets(caller, body as never),
  '/api/v1/traces': (api, caller, body) => api.traces(caller, body as never),
  '/api/v1/trace': (api, caller, body) => api.trace(caller, body as never),
  '/api/v1/alerts': (api, caller, body) => api.alerts(caller, body as never),
  '/api/v1/deployments/list': (api, caller, body) => api.deployments(caller, body as never),
  '/api/v1/alerts/history': (api, caller, body) => api.alertHistory(caller, body as never),
  '/api/v1/alerts/samples': (api, caller, body) => api.alertSamples(caller, body as never),
};

export interface ApiHandlerOptions {
  api: QueryApi;
  jwtSecret: string;
  jwksUrl?: string;
  log?: (message: string) => void;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function createApiHandler(options: ApiHandlerOptions): (request: Request) => Promise<Response> {
  return async (request) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, '');
    const route = ROUTES[path];
    if (!route) return json(404, { error: `no such endpoint: ${path}`, endpoints: Object.keys(ROUTES) });
    if (request.method !== 'POST') return json(405, { error: 'use POST with a JSON query' }, { allow: 'POST' });
    const authorization = request.headers.get('authorization') ?? '';
    const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
    if (!token) return json(401, { error: 'missing bearer token' }, { 'www-authenticate': 'Bearer' });
    let caller: Caller;
    try {
      caller = await callerFromToken(token, options.jwtSecret, options.jwksUrl ? { jwksUrl: options.jwksUrl } : {});
    } catch (error) {
      if (error instanceof AuthError)
        return json(401, { error: error.message }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      throw error;
    }
    const text = await request.text();
    if (Buffer.byteLength(text) > MAX_BODY_BYTES)
      return json(413, { error: `query body over ${MAX_BODY_BYTES} bytes` });
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      return json(400, { error: 'body is not valid JSON' });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return json(400, { error: 'body must be a JSON object' });
    const query = body as Record<string, unknown>;
    // A member's token names its project; the query may leave it out.
    if (query.projectId === undefined && caller.role === 'authenticated') query.projectId = caller.projectId;
    try {
      return json(200, { data: await route(options.api, caller, query) });
    } catch (error) {
      if (error instanceof ZodError) {
        const issue = error.issues[0]!;
        return json(400, { error: `invalid query: ${issue.path.join('.') || 'body'}: ${issue.message}` });
      }
      options.log?.(`api ${path} failed: ${(error as Error).message}`);
      return json(500, { error: 'query failed' });
    }
  };
}
