/**
 * The one error type of Gatehouse's own code, with a closed list of codes. It is turned into a
 * response in exactly one place (http/error-handler.ts): problem+json for APIs, a page for
 * browsers.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** Well-formed, but beyond what this caller may set (a ceiling set by someone else). */
  unprocessable: 422,
  rate_limited: 429,
  /** The email or SMS provider refused a message this call was about. */
  delivery_failed: 502,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  field: string;
  message: string;
}

export class GatehouseError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(message);
    this.name = 'GatehouseError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
