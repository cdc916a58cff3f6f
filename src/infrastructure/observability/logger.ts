import { types } from 'node:util';
import { pino, type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

export type { Logger };

/**
 * JSON logs (pino). Every line written while a request is handled carries its `request_id`.
 * Redaction is a second line of defence: code never passes secrets to the logger on purpose,
 * but a stray request body or header must not leak one either. Errors are written through
 * `serializeError`, which keeps what identifies an error (its code) and drops what may hold a
 * secret. `destination` lets tests read the lines.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const stream = destination ?? bufferedStdout();
  const logger = pino(
    {
      level,
      base: { service: 'gatehouse' },
      mixin() {
        const requestId = currentRequestId();
        return requestId ? { request_id: requestId } : {};
      },
      serializers: { err: serializeError, error: serializeError },
      redact: {
        // `code` is a one-time code where a form or query carries it, but an error's code
        // (`err.code`: ECONNREFUSED, a SQLSTATE) is what identifies the error: not `*.code`.
        paths: [
          'password', 'new_password', 'confirm_password', 'code', 'token', 'secret', 'client_secret',
          'body.code', 'query.code', 'form.code', 'params.code', 'req.body.code', 'req.query.code',
          '*.password', '*.new_password', '*.confirm_password', '*.token', '*.secret', '*.client_secret',
          '*.refresh_token', '*.access_token', '*.id_token',
          'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
  ACCESS_LOGS.set(logger, pino({ level, base: { service: 'gatehouse' } }, stream));
  return logger;
}

const ACCESS_LOGS = new WeakMap<Logger, Logger>();

/**
 * Where the access-log lines of `logger` go: the same stream and level, without redaction. An
 * access line is built field by field from values that never hold a secret (method, route
 * template, status, address, user agent, client id), and redacting it (matching two dozen
 * paths on every line) took about 2 % of a token request's CPU. Carries no `request_id` of its
 * own: the line names it.
 */
export function accessLogOf(logger: Logger): Logger {
  return ACCESS_LOGS.get(logger) ?? logger;
}

/**
 * Standard output, written in the background: while one write is under way the next lines
 * gather and go out together, so under load many lines share a system call, and an idle
 * server's line still goes out at once. Writing each access-log line synchronously took a
 * tenth of a refresh's CPU. pino flushes what is pending when the process exits (also on a
 * fatal error); a crash of the machine itself can lose the last moment of access log, never an
 * event (events are written to the database).
 */
function bufferedStdout(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/** Fields that identify an error without carrying data: Node, PostgreSQL (pg), AWS, the provider. */
const SAFE_FIELDS = [
  // Node system errors (ECONNREFUSED ...), pg's SQLSTATE, AWS error codes.
  'code', 'errno', 'syscall', 'address', 'port',
  // PostgreSQL: where it happened, never the row (`detail` may quote values).
  'severity', 'routine', 'schema', 'table', 'column', 'constraint', 'dataType',
  // oidc-provider: the OAuth error code and its public description.
  'error', 'error_description', 'status', 'statusCode', 'expose',
  // AWS SDK v3: which side failed.
  '$fault',
] as const;

/** `user:password@` in a URL (a connection string quoted in a message). */
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@]*@/gi;

function scrub(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1[redacted]@');
}

/**
 * An error as a log field: type, message, stack and code. Libraries attach more: ioredis the
 * command with its arguments (a token's key), pg the failing row's values, the AWS SDK the
 * whole response. None of that is written: a log line must never carry a secret.
 */
export function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  // Errors of another realm (a VM context) or libraries' error-like objects count as errors too.
  const errorLike = types.isNativeError(err) || (typeof err === 'object' && err !== null && typeof (err as Error).message === 'string' && typeof (err as Error).name === 'string');
  if (!errorLike) {
    return { type: typeof err, message: scrub(typeof err === 'string' ? err : String((err as { message?: unknown })?.message ?? err)) };
  }
  const error = err as Error;
  const source = err as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { type: error.name, message: scrub(error.message) };
  for (const field of SAFE_FIELDS) {
    const value = source[field];
    if (value !== undefined && value !== null && (typeof value !== 'object' || Array.isArray(value))) out[field] = typeof value === 'string' ? scrub(value) : value;
  }
  // ioredis: which command failed, never its arguments.
  const command = source.command as { name?: unknown } | undefined;
  if (command && typeof command.name === 'string') out.command = command.name;
  // AWS SDK v3: the HTTP status and request id of the failed call.
  const metadata = source.$metadata as { httpStatusCode?: unknown; requestId?: unknown } | undefined;
  if (metadata && typeof metadata === 'object') out.aws = { httpStatusCode: metadata.httpStatusCode, requestId: metadata.requestId };
  if (typeof error.stack === 'string') out.stack = scrub(error.stack);
  if (depth < 3 && error.cause !== undefined) out.cause = serializeError(error.cause, depth + 1);
  const inner = (err as { errors?: unknown }).errors;
  if (depth < 3 && Array.isArray(inner)) out.errors = inner.slice(0, 5).map((each) => serializeError(each, depth + 1));
  return out;
}
