// Who and where a span belongs to: tenant, session, user, surface, deployment, environment.
// Keys are tried in order, on the span first and then on its resource. A null means "not named
// here": the collector then inherits it from the nearest ancestor span that names it.

import type { Attributes } from '../otlp/types.ts';
import { firstId } from './values.ts';

/** After the project's own tenant keys (default ['tenant.id']). */
export const TENANT_KEYS = [
  'tenant_id',
  'vigil.tenant.id',
  'traceloop.association.properties.tenant_id',
  'traceloop.association.properties.tenantId',
  'ai.telemetry.metadata.tenantId',
  'ai.telemetry.metadata.tenant_id',
  'langfuse.trace.metadata.tenant_id',
  'langfuse.trace.metadata.tenantId',
  'langsmith.metadata.tenant_id',
  'traceloop.association.properties.Helicone-Property-Tenant',
];

export const SESSION_KEYS = [
  'session.id',
  'gen_ai.conversation.id',
  'langfuse.session.id',
  'ai.telemetry.metadata.sessionId',
  'ai.telemetry.metadata.session_id',
  'traceloop.association.properties.session_id',
  'traceloop.association.properties.sessionId',
  'traceloop.association.properties.Helicone-Session-Id',
  'langsmith.trace.session_id',
  'langsmith.metadata.session_id',
  'langsmith.metadata.thread_id',
];

export const USER_KEYS = [
  'user.id',
  'enduser.id',
  'langfuse.user.id',
  'ai.telemetry.metadata.userId',
  'ai.telemetry.metadata.user_id',
  'traceloop.association.properties.user_id',
  'traceloop.association.properties.userId',
  'traceloop.association.properties.Helicone-User-Id',
  'langsmith.metadata.user_id',
  'gen_ai.request.user',
  'llm.user',
];

export const SURFACE_KEYS = ['vigil.surface', 'http.route'];
export const DEPLOYMENT_KEYS = [
  'vigil.deployment',
  'service.version',
  'deployment.id',
  'langfuse.release',
  'langfuse.version',
];
export const ENVIRONMENT_KEYS = [
  'deployment.environment.name',
  'deployment.environment',
  'langfuse.environment',
  'gen_ai.environment',
];

/** What a resource says about identity, computed once per resource rather than once per span. */
export interface ResourceIdentity {
  serviceName: string;
  projectTenant: string | null;
  dialectTenant: string | null;
  session: string | null;
  user: string | null;
  deployment: string | null;
  environment: string | null;
}

const identities = new WeakMap<Attributes, { tenantKeys: readonly string[]; identity: ResourceIdentity }>();

/**
 * Precedence per field: the span's own value first (the project's tenant keys before the dialect
 * keys), then the resource's. Deployment and environment describe the build, so the resource
 * comes first there.
 */
export function resourceIdentity(resource: Attributes, tenantKeys: readonly string[]): ResourceIdentity {
  const cached = identities.get(resource);
  if (cached && cached.tenantKeys === tenantKeys) return cached.identity;
  const identity: ResourceIdentity = {
    serviceName: firstId(resource, ['service.name']) ?? 'unknown_service',
    projectTenant: firstId(resource, tenantKeys),
    dialectTenant: firstId(resource, TENANT_KEYS),
    session: firstId(resource, SESSION_KEYS),
    user: firstId(resource, USER_KEYS),
    deployment: firstId(resource, DEPLOYMENT_KEYS),
    environment: firstId(resource, ENVIRONMENT_KEYS),
  };
  identities.set(resource, { tenantKeys, identity });
  return identity;
}

/**
 * The tenant of a span, metric point or log record: its own project tenant key, then the
 * resource's, then its own dialect key, then the resource's. Null when none names one.
 */
export function tenantOf(
  attributes: Attributes,
  fromResource: ResourceIdentity,
  tenantKeys: readonly string[],
): string | null {
  return (
    firstId(attributes, tenantKeys) ??
    fromResource.projectTenant ??
    firstId(attributes, TENANT_KEYS) ??
    fromResource.dialectTenant
  );
}

/** The session of a span, metric point or log record: its own key, else the resource's. */
export function sessionOf(attributes: Attributes, fromResource: ResourceIdentity): string | null {
  return firstId(attributes, SESSION_KEYS) ?? fromResource.session;
}
