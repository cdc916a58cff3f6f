import { mayRetryAlone, TickBatch } from './tick-batch.js';

/** A batch whose statements are recorded: `one` doubles its item, `many` doubles each. */
function recordedBatch(options: { manyFails?: unknown; oneFailsFor?: number; retryAlone?: (err: unknown) => boolean; maxItems?: number } = {}) {
  const calls: { one: number[]; many: number[][] } = { one: [], many: [] };
  const batch = new TickBatch<number, number>(
    {
      one: async (item) => {
        calls.one.push(item);
        if (item === options.oneFailsFor) throw Object.assign(new Error('bad row'), { code: '22P05' });
        return item * 2;
      },
      many: async (items) => {
        calls.many.push([...items]);
        if (options.manyFails) throw options.manyFails;
        return items.map((item) => item * 2);
      },
      retryAlone: options.retryAlone ?? mayRetryAlone,
    },
    options.maxItems,
  );
  return { batch, calls };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('TickBatch', () => {
  it('sends what is asked for in one turn as one statement, and gives each caller its own result', async () => {
    const { batch, calls } = recordedBatch();
    await expect(Promise.all([batch.add(1), batch.add(2), batch.add(3)])).resolves.toEqual([2, 4, 6]);
    expect(calls).toEqual({ one: [], many: [[1, 2, 3]] });
  });

  it('sends a lone request as its own statement, and requests of different turns apart', async () => {
    const { batch, calls } = recordedBatch();
    const first = batch.add(1);
    await nextTurn();
    const second = batch.add(2);
    await expect(Promise.all([first, second])).resolves.toEqual([2, 4]);
    expect(calls).toEqual({ one: [1, 2], many: [] });
  });

  it('sends a full batch at once, and the rest at the end of the turn', async () => {
    const { batch, calls } = recordedBatch({ maxItems: 2 });
    await expect(Promise.all([1, 2, 3, 4, 5].map((n) => batch.add(n)))).resolves.toEqual([2, 4, 6, 8, 10]);
    expect(calls).toEqual({ one: [5], many: [[1, 2], [3, 4]] });
  });

  it('sends each item alone when the batch was refused for what one of them holds: only that one fails', async () => {
    const { batch, calls } = recordedBatch({ manyFails: Object.assign(new Error('bad row'), { code: '22P05' }), oneFailsFor: 2 });
    const results = await Promise.allSettled([batch.add(1), batch.add(2), batch.add(3)]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([2, 'bad row', 6]);
    expect(calls.one).toEqual([1, 2, 3]);
  });

  it('fails every caller with the error, and sends nothing again, when the server is the problem', async () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
    const { batch, calls } = recordedBatch({ manyFails: lost });
    const results = await Promise.allSettled([batch.add(1), batch.add(2)]);
    expect(results.map((r) => r.status === 'rejected' && r.reason)).toEqual([lost, lost]);
    expect(calls.one).toEqual([]);
  });

  it('retries alone after data errors, constraint violations and deadlocks, not after lost connections or timeouts', () => {
    expect(['22P05', '22001', '23505', '40P01', '40001'].map((code) => mayRetryAlone({ code }))).toEqual([true, true, true, true, true]);
    expect(['57014', '08006', '53300', 'ECONNRESET', undefined].map((code) => mayRetryAlone({ code }))).toEqual([false, false, false, false, false]);
    expect(mayRetryAlone(null)).toBe(false);
  });
});
