'use client';

// "Export CSV" for any table on the page: it writes the cells as they are shown, so the file
// always holds exactly the numbers on screen.

import { toCsv } from '../lib/format.ts';

export function CsvExport({ tableId, filename }: { tableId: string; filename: string }) {
  const download = () => {
    const table = document.querySelector(`[data-testid="${tableId}"]`);
    if (!table) return;
    const [header = [], ...rows] = [...table.querySelectorAll('tr')].map((row) =>
      [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim()),
    );
    const blob = new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <button
      type="button"
      onClick={download}
      className="text-tremor-default text-tremor-brand"
      data-testid={`${tableId}-csv`}
    >
      Export CSV
    </button>
  );
}
