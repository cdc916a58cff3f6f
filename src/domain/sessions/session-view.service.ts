import type { ActiveGrant } from './artifact.js';
import type { ArtifactRepository } from './artifact.repository.js';

export type { ActiveGrant } from './artifact.js';

/**
 * Which apps a user is signed in to: their live grants per client, with when each began and
 * was last used.
 */
export class SessionViewService {
  constructor(private readonly artifacts: ArtifactRepository) {}

  async activeGrants(userId: string): Promise<ActiveGrant[]> {
    return this.artifacts.activeGrantsOf(userId);
  }
}
