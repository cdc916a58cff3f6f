import { isStorageFault, StorageTimeoutError } from './storage-faults.js';

const withCode = (code: string, message = 'failed') => Object.assign(new Error(message), { code });

describe('storage faults', () => {
  it('are the database or Redis not answering: lost connections, timeouts, a server shutting down', () => {
    expect(isStorageFault(new StorageTimeoutError('PostgreSQL', 3500))).toBe(true);
    expect(isStorageFault(withCode('ECONNREFUSED'))).toBe(true);
    expect(isStorageFault(withCode('57014', 'canceling statement due to statement timeout'))).toBe(true);
    expect(isStorageFault(withCode('57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(isStorageFault(withCode('08006'))).toBe(true);
    expect(isStorageFault(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isStorageFault(Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' }))).toBe(true);
    expect(isStorageFault(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isStorageFault(new Error('Command timed out'))).toBe(true);
    expect(isStorageFault(new Error('query failed', { cause: withCode('ECONNRESET') }))).toBe(true);
  });

  it('are not a wrong request or a bug', () => {
    expect(isStorageFault(withCode('23505', 'duplicate key value violates unique constraint'))).toBe(false);
    expect(isStorageFault(withCode('22P02', 'invalid input syntax for type uuid'))).toBe(false);
    expect(isStorageFault(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isStorageFault(undefined)).toBe(false);
  });
});
