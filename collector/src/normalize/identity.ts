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
export const DEPLOYMENT_KEYS = ['vigil.deployment', 'service.version', 'deployment.id', 'langfuse.release', 'langfuse.version'];
export const ENVIRONMENT_KEYS = ['deployment.environment.name', 'deployment.environment', 'langfuse.environment', 'gen_ai.environment'];

export function spanOrResource(span: Attributes, resource: Attributes, keys: readonly string[]): string | null {
  return firstId(span, keys) ?? firstId(resource, keys);
}

export function tenantOf(span: Attributes, resource: Attributes, projectKeys: readonly string[]): string | null {
  return spanOrResource(span, resource, projectKeys) ?? spanOrResource(span, resource, TENANT_KEYS);
}

/** The resource describes the deployed build; a span only overrides it for Langfuse releases. */
export function deploymentOf(span: Attributes, resource: Attributes): string | null {
  return firstId(resource, DEPLOYMENT_KEYS) ?? firstId(span, DEPLOYMENT_KEYS);
}

export function environmentOf(span: Attributes, resource: Attributes): string | null {
  return firstId(resource, ENVIRONMENT_KEYS) ?? firstId(span, ENVIRONMENT_KEYS);
}
