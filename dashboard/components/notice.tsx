// The outcome of an action (silence created, canary rolled back), carried back in ?notice=.

export function Notice({ text }: { text: string | string[] | undefined }) {
  if (typeof text !== 'string') return null;
  return (
    <p className="mb-4 rounded-tremor-small bg-tremor-brand-faint p-2 text-tremor-default" data-testid="notice">
      {text}
    </p>
  );
}
