// The dashboard's Content-Security-Policy, written once: next.config.ts sends the base on every
// response, and proxy.ts sends the whole policy, with a nonce per request, on pages.

/** Never framed (clickjacking), no plugins, forms and base URLs only to this origin. */
export const BASE_POLICY = ["frame-ancestors 'none'", "base-uri 'self'", "form-action 'self'", "object-src 'none'"];

/**
 * Scripts only from this origin or carrying this request's nonce (Next.js puts it on its own
 * inline scripts when it finds it in the request's policy). Styles stay open to inline: the charts
 * draw with style attributes.
 */
export function pagePolicy(nonce: string): string {
  return [
    ...BASE_POLICY,
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
  ].join('; ');
}
