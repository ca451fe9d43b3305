// Whether a Host header is one a client may send: a URL authority (RFC 9110 §7.2), host and an
// optional port. Servers that do not use it still answer a malformed one with 400, not 200 or 500.

export function isValidHostHeader(host: string | null | undefined): boolean {
  // HTTP/1.0 clients may send none; Node itself refuses an HTTP/1.1 request without one.
  if (host === undefined || host === null) return true;
  try {
    return new URL(`http://${host}/`).host !== '';
  } catch {
    return false;
  }
}
