'use server';

import { apiErrorText, backWithNotice, callVigilApi } from '../../lib/vigil-api.ts';

const back = (query: string, message: string) => backWithNotice('/alerts', query, message);

export async function createSilence(form: FormData): Promise<void> {
  const query = String(form.get('query') ?? '');
  const matchers = Object.fromEntries(
    String(form.get('matchers') ?? '')
      .split(',')
      .map((pair) => pair.split('=').map((part) => part.trim()))
      .filter((pair) => pair.length === 2 && pair[0] && pair[1]),
  );
  const result = await callVigilApi('/api/v1/silences', {
    method: 'POST',
    body: {
      project: String(form.get('project') ?? ''),
      matchers,
      minutes: Number(form.get('minutes')),
      comment: String(form.get('comment') ?? '') || undefined,
    },
  });
  back(query, result.ok ? 'Silence created.' : `Silence not created: ${apiErrorText(result)}`);
}

export async function expireSilence(form: FormData): Promise<void> {
  const query = String(form.get('query') ?? '');
  const result = await callVigilApi(`/api/v1/silences/${encodeURIComponent(String(form.get('id')))}/expire`, {
    method: 'POST',
    body: { project: String(form.get('project') ?? '') },
  });
  back(query, result.ok ? 'Silence expired.' : `Silence not expired: ${apiErrorText(result)}`);
}
