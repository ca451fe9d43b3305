'use server';

import { apiErrorText, backWithNotice, callVigilApi } from '../../lib/vigil-api.ts';

const back = (query: string, message: string) => backWithNotice('/members', query, message);
const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

export async function saveMember(form: FormData): Promise<void> {
  const userId = field(form, 'userId');
  const tenantId = field(form, 'tenantId');
  const result = await callVigilApi('/api/v1/members', {
    method: 'POST',
    body: { project: field(form, 'project'), userId, role: field(form, 'role'), tenantId: tenantId || null },
  });
  back(
    field(form, 'query'),
    result.ok
      ? `${result.body.replaced ? 'Changed' : 'Added'} member ${userId}.`
      : `Member not saved: ${apiErrorText(result)}`,
  );
}

export async function removeMember(form: FormData): Promise<void> {
  const userId = field(form, 'userId');
  const result = await callVigilApi('/api/v1/members/remove', {
    method: 'POST',
    body: { project: field(form, 'project'), userId },
  });
  back(field(form, 'query'), result.ok ? `Removed member ${userId}.` : `Member not removed: ${apiErrorText(result)}`);
}
