// The dashboard's pages, once: the navigation and the first page a role may open both read it.

import type { Capability } from '@vigil/core';

export interface DashboardPage {
  href: string;
  label: string;
  /** What the visitor's role must allow to open the page (its data needs it too). */
  needs: Capability;
}

export const PAGES: readonly DashboardPage[] = [
  { href: '/', label: 'Overview', needs: 'read_health' },
  { href: '/latency', label: 'Latency', needs: 'read_health' },
  { href: '/time-budgets', label: 'Time budgets', needs: 'read_health' },
  { href: '/cost', label: 'Cost', needs: 'read_cost' },
  { href: '/sessions', label: 'Sessions', needs: 'read_traces' },
  { href: '/deployments', label: 'Deployments', needs: 'read_health' },
  { href: '/alerts', label: 'Alerts', needs: 'read_health' },
  { href: '/keys', label: 'Keys', needs: 'administer' },
  { href: '/members', label: 'Members', needs: 'administer' },
  { href: '/audit', label: 'Audit', needs: 'read_audit' },
];
