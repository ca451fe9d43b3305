// The user-facing surface a request serves (its route: /api/answer, /feed), for per-surface time
// budgets and breakdowns. Frameworks that set http.route need nothing; a plain Node server names
// its route here, on the request's span, and every span inside it inherits it.

import { trace } from '@opentelemetry/api';

/** The attribute the collector reads first for a span's surface. */
export const SURFACE_KEY = 'vigil.surface';

/** Marks the active span (the request's, inside a handler) as serving this surface. */
export function setSurface(surface: string): void {
  trace.getActiveSpan()?.setAttribute(SURFACE_KEY, surface);
}
