import { callerCan, memberRoleOf } from '@vigil/core';
import type { Metadata } from 'next';
import Link from 'next/link';
import { PAGES } from '../lib/pages.ts';
import { currentCaller } from '../lib/session.ts';
import './globals.css';

export const metadata: Metadata = { title: 'Vigil', description: 'SLOs and cost for AI applications' };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Only the pages the visitor's role may open; none before signing in.
  const caller = await currentCaller();
  const pages = caller ? PAGES.filter((p) => callerCan(caller, p.needs)) : [];
  return (
    <html lang="en">
      <body className="min-h-screen bg-tremor-background-muted text-tremor-content-strong dark:bg-dark-tremor-background dark:text-dark-tremor-content-strong">
        <header className="border-b border-tremor-border bg-tremor-background px-6 py-3 dark:border-dark-tremor-border dark:bg-dark-tremor-background-muted">
          <nav className="mx-auto flex max-w-screen-2xl items-center gap-6 text-tremor-default">
            <span className="font-semibold">Vigil</span>
            {pages.map(({ href, label }) => (
              <Link
                key={href}
                href={href}
                className="text-tremor-content hover:text-tremor-content-strong dark:text-dark-tremor-content"
              >
                {label}
              </Link>
            ))}
            {caller ? (
              <span className="ml-auto text-tremor-label text-tremor-content" data-testid="signed-in-role">
                {memberRoleOf(caller)}
              </span>
            ) : null}
            {/* A form, not a link: links are prefetched, and a prefetch must not sign anyone out. */}
            <form method="post" action="/logout" className={caller ? '' : 'ml-auto'}>
              <button type="submit" className="text-tremor-content">
                Sign out
              </button>
            </form>
          </nav>
        </header>
        <main className="mx-auto max-w-screen-2xl px-6 py-6">{children}</main>
      </body>
    </html>
  );
}
