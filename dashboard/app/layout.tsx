import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = { title: 'Vigil', description: 'SLOs and cost for AI applications' };

const PAGES = [
  ['/', 'Overview'],
  ['/latency', 'Latency'],
  ['/time-budgets', 'Time budgets'],
  ['/cost', 'Cost'],
  ['/sessions', 'Sessions'],
  ['/deployments', 'Deployments'],
  ['/alerts', 'Alerts'],
  ['/keys', 'Keys'],
  ['/audit', 'Audit'],
] as const;

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-tremor-background-muted text-tremor-content-strong dark:bg-dark-tremor-background dark:text-dark-tremor-content-strong">
        <header className="border-b border-tremor-border bg-tremor-background px-6 py-3 dark:border-dark-tremor-border dark:bg-dark-tremor-background-muted">
          <nav className="mx-auto flex max-w-screen-2xl items-center gap-6 text-tremor-default">
            <span className="font-semibold">Vigil</span>
            {PAGES.map(([href, label]) => (
              <Link
                key={href}
                href={href}
                className="text-tremor-content hover:text-tremor-content-strong dark:text-dark-tremor-content"
              >
                {label}
              </Link>
            ))}
            {/* A form, not a link: links are prefetched, and a prefetch must not sign anyone out. */}
            <form method="post" action="/logout" className="ml-auto">
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
