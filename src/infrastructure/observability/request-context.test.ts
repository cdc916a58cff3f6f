import { currentRequestId, requestIdFrom, runInRequest } from './request-context.js';

describe('request ids', () => {
  it('keeps an acceptable incoming X-Request-Id', () => {
    expect(requestIdFrom('req-7f3a9c')).toBe('req-7f3a9c');
    expect(requestIdFrom('Root=1-67891233-abcdef012345678912345678')).toBe('Root=1-67891233-abcdef012345678912345678');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'two words'],
    ['with a line break', 'abc\ninjected'],
    ['with a control character', 'abc\u0007'],
    ['not ASCII', 'café'],
  ])('replaces a %s id with a new UUID', (_case, header) => {
    const id = requestIdFrom(header);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is known to everything the request starts, awaited or not', async () => {
    expect(currentRequestId()).toBeUndefined();
    const seen: (string | undefined)[] = [];
    await runInRequest({ requestId: 'r1' }, async () => {
      seen.push(currentRequestId());
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(currentRequestId());
      setImmediate(() => seen.push(currentRequestId()));
      await new Promise((resolve) => setImmediate(resolve));
    });
    expect(seen).toEqual(['r1', 'r1', 'r1']);
    expect(currentRequestId()).toBeUndefined();
  });
});
