import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs (pino). Redaction is a second line of defence: code never passes secrets to the
 * logger on purpose, but a stray request body or header must not leak one either.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'gatehouse' },
    redact: {
      paths: [
        'password', 'new_password', 'confirm_password', 'code', 'token', 'secret', 'client_secret',
        '*.password', '*.new_password', '*.confirm_password', '*.code', '*.token', '*.secret', '*.client_secret',
        '*.refresh_token', '*.access_token', '*.id_token',
        'req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]',
      ],
      censor: '[redacted]',
    },
  });
}
