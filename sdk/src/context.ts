// Who a request is for: tenant, session and user, carried in the OpenTelemetry context as W3C
// baggage. Inside the process the context follows async work (AsyncLocalStorage); across services
// the baggage header carries it, so a downstream service's spans get the same tenant.

import { context, propagation } from '@opentelemetry/api';
import { z } from 'zod';

/** The attribute (and baggage) keys: semconv's session.id and user.id, and Vigil's tenant.id. */
export const TENANT_KEY = 'tenant.id';
export const SESSION_KEY = 'session.id';
export const USER_KEY = 'user.id';

export const vigilContextSchema = z.object({
  tenantId: z.string().min(1).max(256),
  sessionId: z.string().min(1).max(256).optional(),
  userId: z.string().min(1).max(256).optional(),
});

export type VigilContext = z.infer<typeof vigilContextSchema>;

/** Runs fn with tenant, session and user in context; every span started inside carries them. */
export function withContext<T>(values: VigilContext, fn: () => T): T {
  // Per request, so checked by hand rather than by the schema (a few µs a call adds up).
  if (!isIdentifier(values?.tenantId) || (values.sessionId !== undefined && !isIdentifier(values.sessionId)) || (values.userId !== undefined && !isIdentifier(values.userId))) {
    vigilContextSchema.parse(values);
  }
  const active = context.active();
  const entries: Record<string, { value: string }> = {};
  const outer = propagation.getBaggage(active);
  if (outer) for (const [key, entry] of outer.getAllEntries()) entries[key] = entry;
  entries[TENANT_KEY] = { value: values.tenantId };
  if (values.sessionId) entries[SESSION_KEY] = { value: values.sessionId };
  if (values.userId) entries[USER_KEY] = { value: values.userId };
  return context.with(propagation.setBaggage(active, propagation.createBaggage(entries)), fn);
}

function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 256;
}

/** Tenant, session and user in the active context, if any. */
export function currentContext(): Partial<VigilContext> {
  const baggage = propagation.getBaggage(context.active());
  if (!baggage) return {};
  return {
    tenantId: baggage.getEntry(TENANT_KEY)?.value,
    sessionId: baggage.getEntry(SESSION_KEY)?.value,
    userId: baggage.getEntry(USER_KEY)?.value,
  };
}
