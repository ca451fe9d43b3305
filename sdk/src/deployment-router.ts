// "Which deployment serves tenant acme now", asked of Vigil's API and cached, so that an app's
// router (a Supabase edge function, a Next.js middleware) can send each org to its rollout cohort
// with one call per tenant per half minute. A failed or slow answer never fails the request: the
// last answer is kept, else null (route to your default).

import { z } from 'zod';

export interface DeploymentRouterOptions {
  /** Vigil's API, e.g. https://vigil.example.com; default VIGIL_API_URL. */
  apiUrl?: string;
  /** A project token (vigil tokens create --project <name>); default VIGIL_API_TOKEN. */
  token?: string;
  /** Longest an answer is kept; the API's own ttlSeconds is used when shorter. Default 30 s. */
  ttlMs?: number;
  /** Give up on the API after this long and use the last answer. Default 2 s. */
  timeoutMs?: number;
  /** At most this many tenants are cached; the oldest answer goes first. Default 10,000. */
  maxTenants?: number;
  fetch?: typeof fetch;
}

export interface DeploymentRouter {
  /** The deployment to send this tenant to, or null when Vigil cannot say. */
  deploymentFor(tenant: string): Promise<string | null>;
}

const servingSchema = z.object({
  deployment: z.string().nullable(),
  ttlSeconds: z.number().positive(),
});

interface Cached {
  deployment: string | null;
  expiresAt: number;
}

export function deploymentRouter(options: DeploymentRouterOptions = {}): DeploymentRouter {
  const apiUrl = (options.apiUrl ?? process.env.VIGIL_API_URL)?.replace(/\/$/, '');
  const token = options.token ?? process.env.VIGIL_API_TOKEN;
  if (!apiUrl) throw new Error('deploymentRouter: give apiUrl or set VIGIL_API_URL');
  if (!token) throw new Error('deploymentRouter: give a project token or set VIGIL_API_TOKEN');
  const ttlMs = options.ttlMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 2000;
  const maxTenants = options.maxTenants ?? 10_000;
  const doFetch = options.fetch ?? fetch;
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<string | null>>();

  async function ask(tenant: string): Promise<string | null> {
    try {
      const response = await doFetch(`${apiUrl}/api/v1/deployments/serving?tenant=${encodeURIComponent(tenant)}`, {
        headers: { authorization: `Bearer ${token}` },
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const answer = servingSchema.parse(await response.json());
      cache.delete(tenant);
      cache.set(tenant, {
        deployment: answer.deployment,
        expiresAt: Date.now() + Math.min(ttlMs, answer.ttlSeconds * 1000),
      });
      if (cache.size > maxTenants) cache.delete(cache.keys().next().value!);
      return answer.deployment;
    } catch {
      return cache.get(tenant)?.deployment ?? null;
    } finally {
      inFlight.delete(tenant);
    }
  }

  return {
    deploymentFor(tenant) {
      const cached = cache.get(tenant);
      if (cached && cached.expiresAt > Date.now()) return Promise.resolve(cached.deployment);
      let pending = inFlight.get(tenant);
      if (!pending) inFlight.set(tenant, (pending = ask(tenant)));
      return pending;
    },
  };
}
