// What each member role may do, written once. The database has the same table as
// vigil_role_can() (migration 20261208000100_member_roles.sql), which row-level security calls;
// test/roles.test.ts asks Postgres every pair and compares it with this one.

export const MEMBER_ROLES = ['viewer', 'finance', 'operator', 'admin'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/** The JWT claim naming a token's role (Supabase puts custom claims beside `role`, which is Postgres's). */
export const ROLE_CLAIM = 'vigil_role';

/**
 * Tokens minted before roles existed carry no role claim. They could read everything and change
 * silences and deployments, which is what an operator does: they keep exactly that, no more.
 */
export const ROLE_WITHOUT_CLAIM: MemberRole = 'operator';

export const CAPABILITIES = [
  /** SLIs, latency, errors, alerts, deployments, SLO pages. */
  'read_health',
  /** Cost, tokens, budgets, cost per tenant, user and session, and their CSV. */
  'read_cost',
  /** Raw spans: trace lists, the trace view with span attributes. */
  'read_traces',
  /** Prompt and completion content in span attributes (stored only when a project opts in). */
  'read_content',
  /** The audit log. */
  'read_audit',
  /** Silences, recording deployments, promote and rollback. */
  'operate',
  /** Ingest keys, tokens, members, config overrides and projects. */
  'administer',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

const VIEWER: readonly Capability[] = ['read_health', 'read_cost', 'read_traces', 'read_audit'];
const OPERATOR: readonly Capability[] = [...VIEWER, 'read_content', 'operate'];

export const ROLE_CAPABILITIES: Record<MemberRole, readonly Capability[]> = {
  viewer: VIEWER,
  finance: ['read_cost'],
  operator: OPERATOR,
  admin: [...OPERATOR, 'administer'],
};

export function roleCan(role: MemberRole, capability: Capability): boolean {
  return ROLE_CAPABILITIES[role].includes(capability);
}

/** The roles that have a capability, for messages ("needs the operator or admin role"). */
export function rolesThatCan(capability: Capability): MemberRole[] {
  return MEMBER_ROLES.filter((role) => roleCan(role, capability));
}

const DOING: Record<Capability, string> = {
  read_health: 'read health and SLOs',
  read_cost: 'read cost',
  read_traces: 'read traces',
  read_content: 'read prompt and completion content',
  read_audit: 'read the audit log',
  operate: 'change silences or deployments (promote, rollback)',
  administer: 'manage keys, tokens, members, alerting overrides and projects',
};

/** Why a role may not do something, in the words the API and the CLI answer with. */
export function refusal(role: MemberRole, capability: Capability): string {
  const roles = rolesThatCan(capability);
  const needed = roles.length > 1 ? `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}` : roles[0];
  return `a ${role} cannot ${DOING[capability]}: that needs the ${needed} role`;
}
