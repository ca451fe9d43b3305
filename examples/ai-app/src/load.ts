// Steady demo traffic for the example app: several tenants (a few big, many small), their users and
// sessions, questions that repeat (cache hits) and questions that do not, spread over deployments.

export interface LoadTarget {
  url: string;
  /** Share of the traffic, relative to the other targets. */
  weight: number;
}

export interface LoadOptions {
  targets: LoadTarget[];
  requestsPerSecond?: number;
  tenants?: number;
  seed?: number;
  onResponse?: (status: number) => void;
}

const QUESTIONS = [
  'How many answers does the Starter plan include?',
  'Where is my data stored?',
  'When are invoices issued?',
  'Is single sign-on available?',
  'How many questions may a user send a minute?',
  'How fast does support answer?',
  'What is the upload limit for files?',
  'How long are audit logs kept?',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function startLoad(options: LoadOptions): { stop(): Promise<void> } {
  const random = rng(options.seed ?? 7);
  const tenants = options.tenants ?? 8;
  const perSecond = options.requestsPerSecond ?? 3;
  const totalWeight = options.targets.reduce((sum, t) => sum + t.weight, 0);
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const pickTarget = () => {
    let r = random() * totalWeight;
    for (const target of options.targets) if ((r -= target.weight) < 0) return target;
    return options.targets[0]!;
  };

  const send = async () => {
    // Skewed: tenant-0 sends far more than tenant-7, as real customer bases do.
    const tenant = `tenant-${Math.floor(random() ** 2 * tenants)}`;
    const user = `${tenant}-user-${Math.floor(random() * 12)}`;
    const session = `${user}-session-${Math.floor(random() * 4)}`;
    const repeat = random() < 0.35;
    const question = repeat
      ? QUESTIONS[Math.floor(random() * QUESTIONS.length)]!
      : `${QUESTIONS[Math.floor(random() * QUESTIONS.length)]} (${Math.floor(random() * 1e6)})`;
    try {
      const response = await fetch(pickTarget().url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-tenant-id': tenant,
          'x-user-id': user,
          'x-session-id': session,
        },
        body: JSON.stringify({ question }),
        signal: AbortSignal.timeout(30_000),
      });
      await response.arrayBuffer();
      options.onResponse?.(response.status);
    } catch {
      options.onResponse?.(0);
    }
  };

  const timer = setInterval(() => {
    if (stopped) return;
    // Poisson-ish arrivals: a few requests or none in each tenth of a second.
    const expected = perSecond / 10;
    let n = 0;
    for (let p = random(); p < expected && n < 20; p += random()) n++;
    for (let i = 0; i < n; i++) {
      const request = send().finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
  }, 100);

  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
