import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { accessLogOf, createLogger, serializeError } from './logger.js';
import { runInRequest } from './request-context.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>));
      done();
    },
  });
  return { lines, logger: createLogger('info', destination) };
}

describe('logging errors', () => {
  it('keeps a PostgreSQL error\'s code and place, not the values of the row', () => {
    const err = Object.assign(new Error('duplicate key value violates unique constraint "users_tenant_username"'), {
      code: '23505',
      severity: 'ERROR',
      table: 'users',
      constraint: 'users_tenant_username',
      detail: 'Key (tenant_id, username)=(4f1c, alice) already exists.',
      parameters: ['alice', '$2b$12$hash'],
    });
    const out = serializeError(err);
    expect(out).toMatchObject({ type: 'Error', code: '23505', severity: 'ERROR', table: 'users', constraint: 'users_tenant_username' });
    expect(JSON.stringify(out)).not.toMatch(/alice|\$2b\$/);
  });

  it('keeps a Redis error\'s command name, never its arguments (a key can be a token)', () => {
    const err = Object.assign(new Error('Command timed out'), { name: 'ReplyError', command: { name: 'get', args: ['gatehouse:AccessToken:Yw1Kx-secret-token'] } });
    const out = serializeError(err);
    expect(out).toMatchObject({ type: 'ReplyError', command: 'get' });
    expect(JSON.stringify(out)).not.toContain('secret-token');
  });

  it('hides credentials of a connection string quoted in a message or stack', () => {
    const err = new Error('connect ECONNREFUSED for postgres://gatehouse:s3cr3t-pass@db.internal:5432/gatehouse');
    Object.assign(err, { code: 'ECONNREFUSED', syscall: 'connect', port: 5432 });
    const out = serializeError(err);
    expect(out).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', port: 5432 });
    expect(out.message).toBe('connect ECONNREFUSED for postgres://[redacted]@db.internal:5432/gatehouse');
    expect(JSON.stringify(out)).not.toContain('s3cr3t-pass');
  });

  it('keeps an AWS error\'s code and request id, not the response', () => {
    const err = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400, requestId: 'abc-123' }, $response: { body: 'To=+15551234567' } });
    const out = serializeError(err);
    expect(out).toMatchObject({ type: 'ThrottlingException', $fault: 'client', aws: { httpStatusCode: 400, requestId: 'abc-123' } });
    expect(JSON.stringify(out)).not.toContain('+15551234567');
  });

  it('follows causes and writes things thrown that are not errors', () => {
    const out = serializeError(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }));
    expect(out.cause).toMatchObject({ message: 'inner', code: 'ETIMEDOUT' });
    expect(serializeError('plain string')).toEqual({ type: 'string', message: 'plain string' });
  });

  it('writes one JSON line with the error under err and the request id of the request in progress', () => {
    const { lines, logger } = capture();
    runInRequest({ requestId: 'req-42' }, () => logger.error({ err: Object.assign(new Error('boom'), { code: '57P01' }) }, 'provider error'));
    logger.info('outside any request');
    expect(lines[0]).toMatchObject({ level: 50, msg: 'provider error', request_id: 'req-42', service: 'gatehouse', err: { type: 'Error', message: 'boom', code: '57P01' } });
    expect(lines[1]).not.toHaveProperty('request_id');
  });
});

describe('redaction', () => {
  it('hides secrets and one-time codes a stray object carries, but not an error code', () => {
    const { lines, logger } = capture();
    logger.warn({ body: { code: '123456', password: 'hunter2' }, query: { code: 'auth-code' }, form: { code: '654321' }, client: { client_secret: 's3cret' }, err: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }, 'stray');
    expect(lines[0]).toMatchObject({ body: { code: '[redacted]', password: '[redacted]' }, query: { code: '[redacted]' }, form: { code: '[redacted]' }, client: { client_secret: '[redacted]' }, err: { code: 'ECONNRESET' } });
  });

  it('writes access lines to the same place at the same level, without the cost of redaction, and keeps redacting the rest', () => {
    const { lines, logger } = capture();
    const access = accessLogOf(logger);
    access.info({ request_id: 'r-1', method: 'POST', route: '/token', status: 200 }, 'request');
    access.debug({ route: '/healthz' }, 'request');
    logger.info({ password: 'hunter2' }, 'stray');
    expect(lines).toEqual([
      expect.objectContaining({ service: 'gatehouse', request_id: 'r-1', method: 'POST', route: '/token', status: 200, msg: 'request' }),
      expect.objectContaining({ password: '[redacted]', msg: 'stray' }),
    ]);
  });
});

describe('errors of the real libraries', () => {
  it('logs an ioredis connection error with its code', async () => {
    const { Redis } = await import('ioredis');
    // Nothing listens on port 1: the client reports the refusal as an error event.
    const redis = new Redis('redis://:hunter2-redis@127.0.0.1:1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    const error = await new Promise<Error>((resolve) => {
      redis.once('error', resolve);
      redis.connect().catch(() => undefined);
    });
    redis.disconnect();
    const { lines, logger } = capture();
    logger.warn({ err: error }, 'redis error');
    expect(lines[0]).toMatchObject({ msg: 'redis error', err: { code: 'ECONNREFUSED' } });
    expect(JSON.stringify(lines[0])).not.toContain('hunter2-redis');
  });
});

describe('standard output, written in the background', () => {
  it('still carries the last lines of a process that exits at once (a fatal start-up error)', () => {
    const script = [
      "import { createLogger } from './src/infrastructure/observability/logger.ts';",
      'const logger = createLogger("info");',
      'for (let i = 0; i < 200; i++) logger.info({ i }, "busy");',
      'logger.fatal("the last words");',
      'process.exit(1);',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', './bench/support/source-runner/register.mjs', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const lines = run.stdout.trim().split('\n');
    expect(run.status).toBe(1);
    expect(lines).toHaveLength(201);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ level: 60, msg: 'the last words' });
  });
});
