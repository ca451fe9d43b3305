// A duration given on the command line (30m, 24h, 90d), in milliseconds; says what was wrong otherwise.

import { parseDuration } from '@vigil/alerts';

export function durationOption(name: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new Error(`${name} "${text}" is not a duration: write e.g. 30m, 24h, 90d`);
  return ms;
}
