'use server';

import { redirect } from 'next/navigation';
import { apiErrorText, backWithNotice, callVigilApi } from '../../lib/vigil-api.ts';

export async function deploymentAction(form: FormData): Promise<void> {
  const query = String(form.get('query') ?? '');
  const name = String(form.get('deployment'));
  const action = String(form.get('action'));
  if (action !== 'promote' && action !== 'rollback') redirect(`/deployments?${query}`);
  const result = await callVigilApi(`/api/v1/deployments/${encodeURIComponent(name)}/${action}`, {
    method: 'POST',
    body: { project: String(form.get('project') ?? ''), reason: 'from the dashboard' },
  });
  const message = result.ok
    ? `${name}: ${action === 'promote' ? 'promoted' : 'rolled back'}.`
    : `${name}: ${apiErrorText(result)}`;
  backWithNotice('/deployments', query, message);
}
