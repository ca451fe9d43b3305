// The one error of Vigil's HTTP API: a status, a stable code and a message that says what was
// wrong. Every route answers an error with the same body, { error: { code, message } }.

export type ApiErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'internal';

const CODE_OF_STATUS: Record<number, ApiErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  500: 'internal',
};

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string };
}

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 500;
  readonly code: ApiErrorCode;
  readonly headers: Record<string, string>;

  constructor(status: ApiError['status'], message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = CODE_OF_STATUS[status]!;
    this.headers = headers;
  }

  get body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** The Postgres error raised when row-level security refuses a write (insufficient_privilege). */
export function isRowSecurityRefusal(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42501';
}
