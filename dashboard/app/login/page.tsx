// Where a visitor without a valid token lands: why, and how to get one.

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  return (
    <div
      className="mx-auto mt-16 max-w-lg rounded-tremor-default bg-tremor-background p-8 shadow-tremor-card dark:bg-dark-tremor-background-muted"
      data-testid="login"
    >
      <h1 className="text-tremor-title font-semibold">Sign in to Vigil</h1>
      {reason ? (
        <p
          className="mt-3 rounded-tremor-small bg-rose-50 p-2 text-tremor-default text-rose-700 dark:bg-rose-400/10 dark:text-rose-300"
          data-testid="login-reason"
        >
          Your token was not accepted: {reason}.
        </p>
      ) : null}
      <p className="mt-4 text-tremor-default text-tremor-content">Create a token and open the link it prints:</p>
      <pre className="mt-2 overflow-x-auto rounded-tremor-small bg-tremor-background-subtle p-3 text-tremor-label">
        npx vigil token --project default --role viewer
      </pre>
      <form method="post" action="/auth" className="mt-6 flex gap-2">
        <input
          name="token"
          placeholder="or paste a token"
          className="flex-1 rounded-tremor-small border border-tremor-border px-2 py-1 text-tremor-default"
        />
        <button type="submit" className="rounded-tremor-small bg-tremor-brand px-3 py-1 text-tremor-brand-inverted">
          Sign in
        </button>
      </form>
    </div>
  );
}
