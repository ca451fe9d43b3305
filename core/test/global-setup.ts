// Placeholder: replaced by the real test-database setup (embedded Postgres) shortly.
export default function setup(): void {}
