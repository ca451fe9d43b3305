// A state or verdict as a badge. Tremor's Badge draws its text in the 600 shade, under WCAG AA for
// amber in light and for every colour in dark; these pairs stay above 4.5:1 in both themes.

export type BadgeColor = 'rose' | 'amber' | 'emerald' | 'gray' | 'blue';

const CLASSES: Record<BadgeColor, string> = {
  rose: 'bg-rose-50 text-rose-800 ring-rose-600/20 dark:bg-rose-400/10 dark:text-rose-300 dark:ring-rose-400/30',
  amber: 'bg-amber-50 text-amber-800 ring-amber-600/20 dark:bg-amber-400/10 dark:text-amber-300 dark:ring-amber-400/30',
  emerald:
    'bg-emerald-50 text-emerald-800 ring-emerald-600/20 dark:bg-emerald-400/10 dark:text-emerald-300 dark:ring-emerald-400/30',
  gray: 'bg-gray-50 text-gray-700 ring-gray-500/20 dark:bg-gray-400/10 dark:text-gray-300 dark:ring-gray-400/30',
  blue: 'bg-blue-50 text-blue-800 ring-blue-600/20 dark:bg-blue-400/10 dark:text-blue-300 dark:ring-blue-400/30',
};

/** The colour of an alert instance's state, wherever it is shown. */
export const ALERT_STATE_COLOR: Record<string, BadgeColor> = {
  firing: 'rose',
  recovering: 'amber',
  pending: 'amber',
  nodata: 'gray',
  error: 'gray',
  normal: 'emerald',
  resolved: 'emerald',
};

export function StatusBadge({
  color,
  children,
  ...rest
}: { color: string | undefined; children: React.ReactNode } & React.HTMLAttributes<HTMLSpanElement>) {
  const classes = CLASSES[(color as BadgeColor) in CLASSES ? (color as BadgeColor) : 'gray'];
  return (
    <span
      {...rest}
      className={`inline-flex w-max shrink-0 items-center whitespace-nowrap rounded-tremor-small px-2 py-0.5 text-tremor-label font-medium ring-1 ring-inset ${classes}`}
    >
      {children}
    </span>
  );
}
