// The app's own tables, as a typical AI app on Supabase has them: documents to retrieve from, a
// semantic cache, and the ai_api_calls log it writes its costs to. Created if missing. With Vigil
// on the same database, ai_api_calls also shows the model calls Vigil stored from the app's spans.

import type pg from 'pg';

const DOCUMENTS = [
  ['Plans', 'The Starter plan includes 1,000 answers a month; Pro includes 20,000 and priority support.'],
  [
    'Regions',
    'Data is stored in the EU (Frankfurt) or the US (Virginia); choose the region when you create a workspace.',
  ],
  ['Billing', 'Invoices are issued monthly. Overages are billed at the end of the month at the plan rate.'],
  ['Security', 'Single sign-on with SAML is available on Pro. Audit logs are kept for 13 months.'],
  ['Limits', 'Each user may send 30 questions a minute. Uploaded files may be up to 50 MB.'],
  ['Support', 'Support answers within one business day; Pro customers within four hours.'],
];

export async function ensureAppSchema(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table if not exists documents (id serial primary key, title text not null, body text not null);
    create table if not exists semantic_cache (question_key text primary key, answer text not null, created_at timestamptz not null default now());
    create table if not exists ai_api_calls (
      id bigserial primary key,
      user_id text not null,
      provider text not null,
      model text not null,
      input_tokens integer,
      output_tokens integer,
      latency_ms integer not null,
      estimated_cost numeric,
      status text not null,
      created_at timestamptz not null default now()
    );
  `);
  // Where Vigil's migrations ran first, ai_api_calls is its view and the app's rows live in
  // app_ai_api_calls: the index goes on the table.
  await pool.query(`
    do $$ begin
      if (select relkind from pg_class where oid = to_regclass('ai_api_calls')) = 'v' then
        create index if not exists ai_api_calls_user_recent on app_ai_api_calls (user_id, created_at);
      else
        create index if not exists ai_api_calls_user_recent on ai_api_calls (user_id, created_at);
      end if;
    end $$;
  `);
  const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from documents');
  if (rows[0]!.n === 0) {
    for (const [title, body] of DOCUMENTS)
      await pool.query('insert into documents (title, body) values ($1, $2)', [title, body]);
  }
}
