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
  const parsed = vigilContextSchema.parse(values);
  let baggage = propagation.getBaggage(context.active()) ?? propagation.createBaggage();
  baggage = baggage.setEntry(TENANT_KEY, { value: parsed.tenantId });
  if (parsed.sessionId) baggage = baggage.setEntry(SESSION_KEY, { value: parsed.sessionId });
  if (parsed.userId) baggage = baggage.setEntry(USER_KEY, { value: parsed.userId });
  return context.with(propagation.setBaggage(context.active(), baggage), fn);
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
