import { LockoutService, type LockoutDependencies } from './lockout.service.js';

const source = { ip: '203.0.113.7', userAgent: 'Browser/1', clientId: 'demo-web', clientKind: 'web' };

/** The service with counters and a wrong-password memory that record what was written. */
function harness() {
  const writes: string[] = [];
  const deps = {
    counters: { recordSuccess: async (_username: string, _ip: string, checked?: { failuresToForget: boolean }) => void (checked?.failuresToForget !== false && writes.push('counts reset')) },
    lastFailed: { forget: async () => void writes.push('wrong password forgotten') },
  } as unknown as LockoutDependencies;
  return { lockout: new LockoutService(deps), writes };
}

describe('the right password', () => {
  it('writes nothing when the attempt found nothing counted (the usual first try)', async () => {
    const { lockout, writes } = harness();
    await lockout.recordSuccess('alice', source, { failuresToForget: false });
    expect(writes).toEqual([]);
  });

  it('resets the counts and forgets the last wrong password after failures, or when nothing was checked first (a password change)', async () => {
    for (const checked of [{ failuresToForget: true }, undefined]) {
      const { lockout, writes } = harness();
      await lockout.recordSuccess('alice', source, checked);
      expect(writes.sort()).toEqual(['counts reset', 'wrong password forgotten']);
    }
  });
});
