// A dense, plain table: the dashboard's lists (alerts, deliveries, deployments) all look alike.

export function DataTable({ id, columns, rows, empty }: { id: string; columns: string[]; rows: React.ReactNode[][]; empty: string }) {
  if (rows.length === 0) return <p className="text-tremor-default text-tremor-content" data-testid={`${id}-empty`}>{empty}</p>;
  return (
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
          <tr key={i} className="border-t border-tremor-border dark:border-dark-tremor-border">
            {cells.map((cell, j) => (
              <td key={j} className="py-1 pr-3 align-top tabular-nums">
                {cell}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export const shortTime = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '—');
