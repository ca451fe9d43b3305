// supabase-js talks to PostgREST over fetch. The undici instrumentation sees those requests; this
// names them as database calls: the table (or function), the operation and the status.

const OPERATIONS: Record<string, string> = {
  GET: 'select',
  HEAD: 'select',
  POST: 'insert',
  PATCH: 'update',
  PUT: 'upsert',
  DELETE: 'delete',
};

/** Attributes for a PostgREST request path (/rest/v1/<table> or /rest/v1/rpc/<function>), else none. */
export function postgrestAttributes(method: string, path: string): Record<string, string> {
  const match = /^\/rest\/v1\/(rpc\/)?([^/?#]+)/.exec(path);
  if (!match) return {};
  const name = decodeURIComponent(match[2]!);
  const base = { 'db.system.name': 'postgresql', 'db.client': 'postgrest' };
  if (match[1]) return { ...base, 'db.operation.name': 'call', 'db.stored_procedure.name': name };
  return {
    ...base,
    'db.collection.name': name,
    'db.operation.name': OPERATIONS[method.toUpperCase()] ?? method.toLowerCase(),
  };
}
