// Who a request is for: tenant, session and user, carried in the OpenTelemetry context as W3C
// baggage. Inside the process the context follows async work (AsyncLocalStorage); across services
// the baggage header carries it, so a downstream service's spans get the same tenant.

import { type Baggage, type BaggageEntry, context, propagation } from '@opentelemetry/api';
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
  if (
    !isIdentifier(values?.tenantId) ||
    (values.sessionId !== undefined && !isIdentifier(values.sessionId)) ||
    (values.userId !== undefined && !isIdentifier(values.userId))
  ) {
    vigilContextSchema.parse(values);
  }
  const active = context.active();
  const outer = propagation.getBaggage(active);
  const baggage = outer ? mergedBaggage(outer, values) : cachedBaggage(values);
  return context.with(propagation.setBaggage(active, baggage), fn);
}

// Baggage is immutable, so one object per identity can serve every request of that identity; the
// span processor then finds its attributes already worked out. Keyed tenant → session → user
// (joining the three into one key costs more than the lookups); cleared when it grows too big.
const BAGGAGE_CACHE_SIZE = 4096;
let cachedIdentities = 0;
let baggageByIdentity = new Map<string, Map<string, Map<string, Baggage>>>();

function cachedBaggage(values: VigilContext): Baggage {
  let bySession = baggageByIdentity.get(values.tenantId);
  if (!bySession) baggageByIdentity.set(values.tenantId, (bySession = new Map()));
  const sessionId = values.sessionId ?? '';
  let byUser = bySession.get(sessionId);
  if (!byUser) bySession.set(sessionId, (byUser = new Map()));
  const userId = values.userId ?? '';
  let baggage = byUser.get(userId);
  if (!baggage) {
    if (cachedIdentities >= BAGGAGE_CACHE_SIZE) {
      baggageByIdentity = new Map();
      cachedIdentities = 0;
      return cachedBaggage(values);
    }
    baggage = propagation.createBaggage(identityEntries(values));
    byUser.set(userId, baggage);
    cachedIdentities++;
  }
  return baggage;
}

function mergedBaggage(outer: Baggage, values: VigilContext): Baggage {
  const entries: Record<string, BaggageEntry> = {};
  for (const [key, entry] of outer.getAllEntries()) entries[key] = entry;
  return propagation.createBaggage(Object.assign(entries, identityEntries(values)));
}

function identityEntries(values: VigilContext): Record<string, BaggageEntry> {
  const entries: Record<string, BaggageEntry> = { [TENANT_KEY]: { value: values.tenantId } };
  if (values.sessionId) entries[SESSION_KEY] = { value: values.sessionId };
  if (values.userId) entries[USER_KEY] = { value: values.userId };
  return entries;
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
