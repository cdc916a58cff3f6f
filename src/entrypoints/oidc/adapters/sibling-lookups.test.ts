import type { Adapter } from 'oidc-provider';
import { SiblingLookups, skipWhenFoundElsewhere } from './sibling-lookups.js';

const settled = (found: boolean) => Promise.resolve(found);
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('SiblingLookups', () => {
  it('tells a kind that another found the value in Redis, and never counts its own look-up', async () => {
    const siblings = new SiblingLookups();
    const accessToken = settled(false);
    const clientCredentials = settled(true);
    siblings.announce('v1', accessToken);
    siblings.announce('v1', clientCredentials);
    expect(await siblings.foundElsewhere('v1', accessToken)).toBe(true);
    expect(await siblings.foundElsewhere('v1', clientCredentials)).toBe(false);
    expect(await siblings.foundElsewhere('v2')).toBe(false);
  });

  it('forgets settled look-ups once the turn is over, so a later look-up asks storage again', async () => {
    const siblings = new SiblingLookups();
    siblings.announce('v1', settled(true));
    await tick();
    expect(await siblings.foundElsewhere('v1')).toBe(false);
  });

  it('skips the PostgreSQL look-up of a refresh token only when a Redis kind found the value', async () => {
    const siblings = new SiblingLookups();
    const finds: string[] = [];
    const store = { find: async (id: string) => (finds.push(id), { id }) } as unknown as Adapter;
    const refreshTokens = skipWhenFoundElsewhere(store, siblings);
    siblings.announce('access', settled(true));
    siblings.announce('neither', settled(false));
    expect(await refreshTokens.find('access')).toBeUndefined();
    expect(await refreshTokens.find('neither')).toEqual({ id: 'neither' });
    expect(await refreshTokens.find('alone')).toEqual({ id: 'alone' });
    expect(finds).toEqual(['neither', 'alone']);
  });
});
