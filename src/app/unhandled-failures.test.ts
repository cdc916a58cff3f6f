import { EventEmitter } from 'node:events';
import { createLogger } from '../infrastructure/observability/logger.js';
import { drainOnUnhandledFailures } from './unhandled-failures.js';

describe('drainOnUnhandledFailures', () => {
  const setUp = () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const drains: number[] = [];
    const target = new EventEmitter();
    drainOnUnhandledFailures(logger, (code) => drains.push(code), target);
    return { lines, drains, target };
  };

  it('logs a rejection nothing handled as fatal, with the error, and drains with exit code 1', () => {
    const { lines, drains, target } = setUp();
    target.emit('unhandledRejection', new Error('nobody waited for this'));
    expect(drains).toEqual([1]);
    expect(lines).toEqual([expect.objectContaining({ level: 60, err: expect.objectContaining({ type: 'Error', message: 'nobody waited for this' }) })]);
  });

  it('does the same for an exception that reached the top, and for a rejection with a value that is not an error', () => {
    const { lines, drains, target } = setUp();
    target.emit('uncaughtException', new TypeError('x is not a function'));
    target.emit('unhandledRejection', 'a bare string');
    expect(drains).toEqual([1, 1]);
    expect(lines.map((line) => (line.err as { message: string }).message)).toEqual(['x is not a function', 'a bare string']);
  });

  it('never writes a secret the error message carries', () => {
    const { lines, target } = setUp();
    target.emit('unhandledRejection', new Error('connect failed for postgres://gatehouse:s3cret-pass@db:5432/gatehouse'));
    expect(JSON.stringify(lines)).not.toContain('s3cret-pass');
  });
});
