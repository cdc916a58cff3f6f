import Keygrip from 'keygrip';
import { CookieSignatures } from './cookie-signatures.js';

describe('cookie signatures', () => {
  const keys = ['newest-key-0123456789abcdefghijklmnop', 'older-key-0123456789abcdefghijklmnopq'];

  it('signs and verifies exactly as keygrip, so cookies of other replicas and earlier versions keep working', () => {
    const ours = new CookieSignatures(keys);
    const theirs = new Keygrip(keys);
    for (const data of ['_session=abc', '_interaction=Zx9-_', 'gh_device=ü€ with spaces', '']) {
      expect(ours.sign(data)).toBe(theirs.sign(data));
      expect(ours.index(data, theirs.sign(data))).toBe(0);
      // Signed with the older key (before a rotation): still verifies, as the second key.
      const older = new Keygrip([keys[1]!]).sign(data);
      expect(ours.index(data, older)).toBe(1);
      expect(theirs.index(data, older)).toBe(1);
    }
  });

  it('refuses a signature of other data, another key, another length or none', () => {
    const ours = new CookieSignatures(keys);
    const good = ours.sign('_session=abc');
    expect(ours.verify('_session=abd', good)).toBe(false);
    expect(ours.verify('_session=abc', new Keygrip(['a-stranger-key-0123456789abcdefghij']).sign('_session=abc'))).toBe(false);
    expect(ours.verify('_session=abc', good.slice(1))).toBe(false);
    expect(ours.verify('_session=abc', `${good}=`)).toBe(false);
    expect(ours.verify('_session=abc', '')).toBe(false);
    expect(ours.index('_session=abc', undefined as unknown as string)).toBe(-1);
    expect(() => new CookieSignatures([])).toThrow(/at least one key/);
  });
});
