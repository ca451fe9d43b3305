// Where a page the visitor's role may not open sends them: which role they have, what the page
// needs, and the pages they can open.

import { CAPABILITIES, callerCan, memberRoleOf, refusal } from '@vigil/core';
import Link from 'next/link';
import { PAGES } from '../../lib/pages.ts';
import { requireCaller } from '../../lib/session.ts';

export default async function DeniedPage({ searchParams }: { searchParams: Promise<{ need?: string }> }) {
  const caller = await requireCaller();
  const { need } = await searchParams;
  const capability = CAPABILITIES.find((c) => c === need);
  const role = memberRoleOf(caller);
  const open = PAGES.filter((p) => callerCan(caller, p.needs));
  return (
    <div
      className="mx-auto mt-16 max-w-lg rounded-tremor-default bg-tremor-background p-8 shadow-tremor-card"
      data-testid="denied"
    >
      <h1 className="text-tremor-title font-semibold">Not available to your role</h1>
      <p className="mt-3 text-tremor-default text-tremor-content" data-testid="denied-reason">
        You are signed in as {role}
        {capability ? `: ${refusal(role, capability)}` : ''}.
      </p>
      <p className="mt-4 text-tremor-default text-tremor-content">You can open:</p>
      <ul className="mt-2 list-disc pl-6">
        {open.map((p) => (
          <li key={p.href}>
            <Link href={p.href} className="text-tremor-brand">
              {p.label}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
