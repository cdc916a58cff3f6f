import { keyState, nextChange, type KeyRow } from './key-ring.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute));

function row(kid: string, fields: Partial<KeyRow> = {}): KeyRow {
  return { kid, use: 'sig', alg: 'RS256', sealed: '', kek_id: '', public_jwk: null, created_at: at(0), published_at: at(0), active_at: at(0), retire_at: null, ...fields };
}

describe('a key\'s state over a rotation', () => {
  // old signs; at minute 10 new is published, signs from minute 20; old retires at minute 30.
  const old = row('old', { retire_at: at(30) });
  const fresh = row('new', { published_at: at(10), active_at: at(20) });
  const other = row('es', { alg: 'ES256' });
  const rows = [old, fresh, other];

  it.each([
    [5, 'active', 'scheduled'],
    [15, 'active', 'published'],
    [25, 'verifying', 'active'],
    [35, 'retired', 'active'],
  ] as const)('at minute %i the old key is %s and the new one %s', (minute, oldState, newState) => {
    expect(keyState(old, rows, at(minute))).toBe(oldState);
    expect(keyState(fresh, rows, at(minute))).toBe(newState);
    // A key of another algorithm signs for its own clients throughout.
    expect(keyState(other, rows, at(minute))).toBe('active');
  });

  it('names the next moment a state changes', () => {
    expect(nextChange(rows, at(5))).toEqual(at(10));
    expect(nextChange(rows, at(15))).toEqual(at(20));
    expect(nextChange(rows, at(25))).toEqual(at(30));
    expect(nextChange(rows, at(35))).toBeUndefined();
  });
});
