// The managed prompt a call used, kept as two dimensions (prompt_name, prompt_version) so a prompt
// change can be compared and judged like a deployment. These keys name a prompt without holding
// its text, so content stripping keeps them (content.ts).

import type { Attributes } from '../otlp/types.ts';
import { firstId } from './values.ts';

const PROMPT_NAME_KEYS = [
  'gen_ai.prompt.name',
  'vigil.prompt.name',
  'langfuse.observation.prompt.name',
  'traceloop.prompt.key',
];
const PROMPT_VERSION_KEYS = [
  'gen_ai.prompt.version',
  'vigil.prompt.version',
  'langfuse.observation.prompt.version',
  'traceloop.prompt.version',
  'llm.prompt_template.version',
];

export const PROMPT_KEYS: ReadonlySet<string> = new Set([...PROMPT_NAME_KEYS, ...PROMPT_VERSION_KEYS]);

export const promptNameOf = (attributes: Attributes): string | null => firstId(attributes, PROMPT_NAME_KEYS);
export const promptVersionOf = (attributes: Attributes): string | null => firstId(attributes, PROMPT_VERSION_KEYS);
