// The per-tenant cost table as CSV: the same rows and the same formatting as the page shows.

import type { NextRequest } from 'next/server';
import { TENANT_COLUMNS, tenantCells, tenantCosts } from '../../../lib/cost.ts';
import { toCsv } from '../../../lib/format.ts';
import { requireCapability } from '../../../lib/session.ts';
import { resolveView } from '../../../lib/view.ts';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest) {
  const caller = await requireCapability('read_cost');
  const view = await resolveView(Object.fromEntries(request.nextUrl.searchParams), caller);
  const rows = await tenantCosts(caller, view);
  return new Response(toCsv(TENANT_COLUMNS, rows.map(tenantCells)), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="vigil-${view.projectName}-tenant-costs.csv"`,
    },
  });
}
