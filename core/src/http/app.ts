// Vigil's HTTP API, /api/v1, on Hono: one app that `vigil up` serves and the dashboard mounts.
// Parts contribute routes (core its reads, alerts its deployments, gates and silences); this file
// gives every route the same edge: the caller from a bearer token, a byte limit on the body counted
// as it streams, validation with the route's zod schemas, and one error body.

import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { ZodError, type z } from 'zod';
import type pg from 'pg';
import { refusal } from '../access/roles.ts';
import { type Caller, callerCan, memberRoleOf } from '../query/caller.ts';
import { AuthError, type CallerOptions, callerFromToken } from './auth.ts';
import { bearerToken } from './bearer.ts';
import { ApiError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { referencePage } from './reference-page.ts';
import type { ApiRoute, RouteResult } from './route.ts';

export const API_BASE = '/api/v1';
/** Query and change bodies are small JSON objects. */
export const MAX_API_BODY_BYTES = 64 * 1024;

/** A Supabase user who is a member of several projects names one with this header (id or name). */
export const PROJECT_HEADER = 'x-vigil-project';

export interface ApiAppOptions {
  jwtSecret: string;
  jwksUrl?: string;
  routes: readonly ApiRoute[];
  /** Where Supabase Auth users' memberships are read; without it only Vigil tokens are accepted. */
  pool?: pg.Pool;
  log?: (message: string) => void;
}

type Env = { Variables: { caller: Caller } };

export function createApiApp(options: ApiAppOptions): Hono<Env> {
  const app = new Hono<Env>({ strict: false }).basePath(API_BASE);
  const verify: CallerOptions = {
    ...(options.jwksUrl ? { jwksUrl: options.jwksUrl } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
  };
  const log = options.log ?? (() => {});

  app.use(
    methodNotAllowed({
      app,
      onMethodNotAllowed: (c, methods) => {
        const error = new ApiError(405, `use ${methods.filter((m) => m !== 'HEAD').join(' or ')} for ${c.req.path}`, {
          allow: methods.join(', '),
        });
        return c.json(error.body, error.status, error.headers);
      },
    }),
  );

  const authenticate: MiddlewareHandler<Env> = async (c, next) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError(401, 'missing bearer token', { 'www-authenticate': 'Bearer' });
    try {
      const project = c.req.header(PROJECT_HEADER);
      c.set('caller', await callerFromToken(token, options.jwtSecret, { ...verify, ...(project ? { project } : {}) }));
    } catch (error) {
      if (error instanceof AuthError)
        throw new ApiError(401, error.message, { 'www-authenticate': 'Bearer error="invalid_token"' });
      throw error;
    }
    await next();
  };
  const limitBody = bodyLimit({
    maxSize: MAX_API_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, `body over ${MAX_API_BODY_BYTES} bytes`);
    },
  });

  for (const route of options.routes) {
    const handler = async (c: Context<Env>) => {
      const caller = c.get('caller');
      // Row-level security decides rows; the role decides routes, before any work is done.
      if (!callerCan(caller, route.access)) throw new ApiError(403, refusal(memberRoleOf(caller), route.access));
      const input = {
        caller,
        params: route.params ? validate(route.params, c.req.param(), 'invalid path') : undefined,
        query: route.query ? validate(route.query, c.req.query(), 'invalid query string') : undefined,
        body: route.body
          ? validate(route.body, await jsonObject(c, route.projectFromCaller ? caller : null), route.invalidBody)
          : undefined,
        context: c,
      };
      const result: RouteResult = await route.handle(input);
      return c.json(result.body as object, 'status' in result ? result.status : 200);
    };
    if (route.method === 'get') app.get(route.path, authenticate, handler);
    else app.post(route.path, authenticate, limitBody, handler);
  }

  // The routes are fixed once the app is made: the document and its page are built once, when first asked for.
  let document: ReturnType<typeof openApiDocument> | undefined;
  let page: string | undefined;
  const documentOnce = () => (document ??= openApiDocument(options.routes, API_BASE));
  app.get('/openapi.json', (c) => c.json(documentOnce()));
  app.get('/docs', (c) => c.html((page ??= referencePage(documentOnce()))));

  app.notFound((c) => {
    const error = new ApiError(404, `no such endpoint: ${c.req.path}`);
    return c.json(error.body, error.status);
  });
  app.onError((error, c) => {
    const known = toApiError(error);
    if (known.status === 500) log(`api ${c.req.method} ${c.req.path} failed: ${(error as Error).stack ?? error}`);
    return c.json(known.body, known.status, known.headers);
  });
  return app;
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof ZodError) return new ApiError(400, describeZodError(error));
  if (error instanceof HTTPException) return new ApiError(error.status === 413 ? 413 : 400, error.message);
  return new ApiError(500, 'internal error');
}

function describeZodError(error: ZodError, prefix?: string): string {
  const issue = error.issues[0]!;
  const detail = `${issue.path.join('.') || 'body'}: ${issue.message}`;
  return prefix ? `${prefix}: ${detail}` : detail;
}

function validate<T>(schema: z.ZodType<T>, value: unknown, prefix?: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ApiError(400, describeZodError(parsed.error, prefix));
  return parsed.data;
}

/**
 * The body as a JSON object ({} when empty). Given the caller, a member's token names its project,
 * so the body may leave projectId out: it is the token's.
 */
async function jsonObject(c: Context<Env>, caller: Caller | null): Promise<Record<string, unknown>> {
  const text = await c.req.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError(400, 'body is not valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiError(400, 'body must be a JSON object');
  const object = body as Record<string, unknown>;
  if (object.projectId === undefined && caller?.role === 'authenticated') object.projectId = caller.projectId;
  return object;
}
