// Puts tenant, session and user in context for a request: Express and node:http middleware, and a
// wrapper for Next.js route handlers. The app says how to read them from its request.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import { SESSION_KEY, TENANT_KEY, USER_KEY, type VigilContext, vigilContextSchema, withContext } from './context.ts';

export type ContextFrom<R> = (request: R) => VigilContext | undefined | Promise<VigilContext | undefined>;

/**
 * Express (or Connect) middleware: `app.use(vigilMiddleware((req) => ({ tenantId: req.user.orgId })))`.
 * A request it cannot attribute goes on without a tenant, never fails because of Vigil.
 */
export function vigilMiddleware<R extends IncomingMessage = IncomingMessage>(contextFrom: ContextFrom<R>) {
  return (request: R, _response: ServerResponse, next: (error?: unknown) => void): void => {
    Promise.resolve()
      .then(() => contextFrom(request))
      .then(
        (values) => runWith(values, () => next()),
        () => next(),
      );
  };
}

/** For a plain node:http handler: `createServer(withRequestContext(contextFrom, handler))`. */
export function withRequestContext<R extends IncomingMessage = IncomingMessage>(
  contextFrom: ContextFrom<R>,
  handler: (request: R, response: ServerResponse) => unknown,
) {
  return (request: R, response: ServerResponse): void => {
    vigilMiddleware(contextFrom)(request, response, () => void handler(request, response));
  };
}

/**
 * For a Next.js route handler (app router): `export const POST = withVigil(handler, (req) => ({…}))`.
 * Route params and everything else pass through.
 */
export function withVigil<A extends unknown[], T>(
  handler: (request: Request, ...rest: A) => T | Promise<T>,
  contextFrom: ContextFrom<Request>,
) {
  return async (request: Request, ...rest: A): Promise<T> => {
    let values: VigilContext | undefined;
    try {
      values = await contextFrom(request);
    } catch {
      values = undefined;
    }
    return runWith(values, () => handler(request, ...rest));
  };
}

/**
 * Runs fn in the context, or without one when the app's values are missing or invalid. The
 * request's own span was started by the HTTP instrumentation before the app could say whom the
 * request is for; it is tagged here, so requests (trace roots) count per tenant too.
 */
function runWith<T>(values: VigilContext | undefined, fn: () => T): T {
  const parsed = values ? vigilContextSchema.safeParse(values) : null;
  if (!parsed?.success) return fn();
  const requestSpan = trace.getActiveSpan();
  if (requestSpan?.isRecording()) {
    requestSpan.setAttribute(TENANT_KEY, parsed.data.tenantId);
    if (parsed.data.sessionId) requestSpan.setAttribute(SESSION_KEY, parsed.data.sessionId);
    if (parsed.data.userId) requestSpan.setAttribute(USER_KEY, parsed.data.userId);
  }
  return withContext(parsed.data, fn);
}
