import type { NormalizedSpan } from '../normalize/types.ts';

/** A span ready for the database: its project fixed by the ingest key, its cost priced. */
export type StoredSpan = NormalizedSpan;

/** The context a span passes to its descendants when they do not name it themselves. */
export interface InheritedContext {
  tenantId: string | null;
  sessionId: string | null;
  userId: string | null;
  surface: string | null;
}

export const UNKNOWN_TENANT = 'unknown';
