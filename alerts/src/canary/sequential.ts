// A sequential test whose error rate holds however often it is looked at: the mixture sequential
// probability ratio test (mSPRT) of Johari, Pekelis and Walsh ("Always valid inference", 2017).
// An estimate d of an effect θ is taken as normal with variance v; against H0: θ = θ0, a normal
// mixture N(θ0, τ²) over the alternatives gives the likelihood ratio
//   Λ = sqrt(v / (v + τ²)) · exp(τ² (d − θ0)² / (2 v (v + τ²))),
// a martingale under H0, so by Ville's inequality P(Λ ever ≥ 1/α) ≤ α: rejecting the first time
// it crosses is an α-level test at every look. The judge recomputes it from all of a canary's
// calls on every tick; 1/Λ is the always-valid p-value. One-sided here: only "worse" is tested.
// A huge effect crosses on a handful of calls; noise, checked every tick, does not.

/** Mean and unbiased variance. */
export function meanAndVariance(values: ArrayLike<number>): { n: number; mean: number; variance: number } {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, variance: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { n, mean, variance: n > 1 ? squares / (n - 1) : 0 };
}

/** ln Λ for an estimate d with variance v, against θ0, with mixing variance τ². */
export function mixtureLogRatio(d: number, theta0: number, v: number, tau2: number): number {
  return 0.5 * Math.log(v / (v + tau2)) + (tau2 * (d - theta0) ** 2) / (2 * v * (v + tau2));
}

/** The always-valid one-sided p-value of "the effect exceeds θ0": 1 when the estimate is not above it. */
export function alwaysValidPValue(d: number, theta0: number, v: number, tau2: number): number {
  if (!(d > theta0) || !(v > 0)) return 1;
  return Math.min(1, Math.exp(-mixtureLogRatio(d, theta0, v, tau2)));
}

/**
 * How many more canary samples the test needs to reject at level alpha, if the effect stays where
 * it is: v(n) = canaryVariance / n + baselineTerm. Null when the effect is not above θ0 (no number
 * of calls would show it worse), or when it would take more than `cap`.
 */
export function samplesNeeded(
  d: number,
  theta0: number,
  canaryVariance: number,
  baselineTerm: number,
  tau2: number,
  alpha: number,
  n: number,
  cap = 1_000_000,
): number | null {
  if (!(d > theta0)) return null;
  const rejects = (m: number) => alwaysValidPValue(d, theta0, canaryVariance / m + baselineTerm, tau2) < alpha;
  if (rejects(n)) return 0;
  let hi = Math.max(1, n);
  while (!rejects(hi)) {
    hi *= 2;
    if (hi > cap) return null;
  }
  let lo = Math.max(n, hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (rejects(mid)) hi = mid;
    else lo = mid;
  }
  return hi - n;
}
