import { OneTimeCodes } from './one-time-code.js';

describe('one-time codes', () => {
  const codes = new OneTimeCodes(Buffer.from('test-key-test-key-test-key-12345'));

  it('are six digits by default, with leading zeros kept', () => {
    for (let i = 0; i < 50; i++) expect(codes.generate()).toMatch(/^\d{6}$/);
  });

  it('are stored as keyed hashes bound to their flow', () => {
    const hash = codes.hash('flow-1', '012345');
    expect(hash).not.toContain('012345');
    expect(codes.matches('flow-1', '012345', hash)).toBe(true);
    expect(codes.matches('flow-1', ' 012345 ', hash)).toBe(true);
    expect(codes.matches('flow-2', '012345', hash)).toBe(false);
    expect(codes.matches('flow-1', '012346', hash)).toBe(false);
    expect(codes.matches('flow-1', '012345', null)).toBe(false);
  });
});
