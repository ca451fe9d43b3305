// A dense, plain table: the dashboard's lists (alerts, deliveries, deployments, breakdowns) all
// look alike, and each can be exported as CSV exactly as shown.

import { CsvExport } from './csv-export.tsx';

export function DataTable({
  id,
  columns,
  rows,
  empty,
}: {
  id: string;
  columns: string[];
  rows: React.ReactNode[][];
  empty: string;
}) {
  if (rows.length === 0)
    return (
      <p className="text-tremor-default text-tremor-content" data-testid={`${id}-empty`}>
        {empty}
      </p>
    );
  return (
    <div>
      {/* In the flow, above the table: pulled up beside a card's title it was drawn over what sat
          there (the Latency page's breakdown switch, a canary's reason). */}
      <div className="mb-1 flex justify-end">
        <CsvExport tableId={id} filename={`vigil-${id}.csv`} />
      </div>
      <table className="w-full text-left text-tremor-default" data-testid={id}>
        <thead className="text-tremor-label text-tremor-content">
          <tr>
            {columns.map((c) => (
              <th key={c} className="py-1 pr-3 font-normal">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((cells, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows and cells are positional: a table drawn once on the server, never reordered
            <tr key={i} className="border-t border-tremor-border dark:border-dark-tremor-border">
              {cells.map((cell, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows and cells are positional: a table drawn once on the server, never reordered
                <td key={j} className="py-1 pr-3 align-top tabular-nums">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const shortTime = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');
