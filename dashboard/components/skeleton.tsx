// A placeholder block while a streamed part of a page is still being queried.

export const SKELETON_BLOCK =
  'animate-pulse rounded-tremor-default bg-tremor-background-subtle dark:bg-dark-tremor-background-subtle';

/** One block; `className` gives its size (h-48, h-72, …). */
export function Skeleton({ className }: { className: string }) {
  return <div className={`${className} ${SKELETON_BLOCK}`} data-testid="skeleton" />;
}
