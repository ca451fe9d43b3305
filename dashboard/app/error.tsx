'use client';

// A page whose data could not be read says so, and offers to try again; it never shows half a page.

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div
      className="mx-auto mt-16 max-w-lg rounded-tremor-default bg-tremor-background p-8 shadow-tremor-card"
      data-testid="page-error"
    >
      <h1 className="text-tremor-title font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-tremor-default text-tremor-content">
        Vigil could not read its data just now (is the database reachable?).{' '}
        {error.digest ? `Reference ${error.digest}.` : ''}
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted"
      >
        Try again
      </button>
    </div>
  );
}
