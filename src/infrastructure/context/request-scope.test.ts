import { setTimeout as sleep } from 'node:timers/promises';
import { requestLocalMap, requestSlot } from './request-scope.js';

describe('request slots', () => {
  const language = requestSlot<string>('language');
  const requestId = requestSlot<string>('request id');

  it('scope each value to its run, across awaits, beside the other slots', async () => {
    expect(language.get()).toBeUndefined();
    await requestId.run('r-1', async () => {
      await language.run('de', async () => {
        await sleep(1);
        expect([requestId.get(), language.get()]).toEqual(['r-1', 'de']);
        // A nested run shadows the value, then the outer one is back.
        await language.run('fr', async () => {
          await sleep(1);
          expect([requestId.get(), language.get()]).toEqual(['r-1', 'fr']);
        });
        expect(language.get()).toBe('de');
      });
      expect([requestId.get(), language.get()]).toEqual(['r-1', undefined]);
    });
    expect(requestId.get()).toBeUndefined();
  });

  it('keep concurrent requests apart', async () => {
    const seen = await Promise.all(['a', 'b', 'c'].map((id) => requestId.run(id, async () => {
      await sleep(id === 'a' ? 5 : 1);
      return requestId.get();
    })));
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('give each request one scratch map, shared by its nested runs and gone with it', async () => {
    const reads = requestLocalMap<string, number>('reads');
    expect(reads()).toBeUndefined();
    const seen = await Promise.all(['a', 'b'].map((id) => requestId.run(id, async () => {
      reads()!.set('count', id === 'a' ? 1 : 2);
      await sleep(1);
      // A nested run (a page language) still writes into the request's own map.
      await language.run('de', async () => {
        reads()!.set('count', reads()!.get('count')! + 10);
      });
      return reads()!.get('count');
    })));
    expect(seen).toEqual([11, 12]);
    // A later request starts empty.
    await requestId.run('c', async () => expect(reads()!.size).toBe(0));
  });
});
