/** A token that is missing, malformed, expired, forged or grants nothing: the API answers 401. */
export class AuthError extends Error {
  override name = 'AuthError';
}
