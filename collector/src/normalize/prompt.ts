// The managed prompt a call used, kept as two dimensions (prompt_name, prompt_version) so a prompt
// change can be compared and judged like a deployment. These keys name a prompt without holding
// its text, so content stripping keeps them (core's spans/content.ts, where the keys are listed).

import { PROMPT_NAME_KEYS, PROMPT_VERSION_KEYS } from '@vigil/core';
import type { Attributes } from '../otlp/types.ts';
import { firstId } from './values.ts';

export const promptNameOf = (attributes: Attributes): string | null => firstId(attributes, PROMPT_NAME_KEYS);
export const promptVersionOf = (attributes: Attributes): string | null => firstId(attributes, PROMPT_VERSION_KEYS);
