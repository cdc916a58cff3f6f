import type { Target } from '../support/target.js';
import type { Measurement, MeasurementWindow } from '../support/window.js';
import { clientCredentialsGrants } from './client-credentials.js';
import { passwordSignIns } from './password-sign-in.js';

export interface BesideFigures {
  tokens: Measurement;
  signIns: Measurement;
}

/**
 * client_credentials grants while password sign-ins run beside them on the same instance, both
 * measured over the same window. bcrypt runs off the event loop (libuv's pool, bounded to the
 * cores), so a token request should not wait behind a comparison; what remains is the CPU the
 * comparisons take from the event loop's thread on a small machine.
 */
export async function clientCredentialsBesideSignIns(
  target: Target,
  connections: { tokens: number; signIns: number },
  windows: { tokens: MeasurementWindow; signIns: MeasurementWindow },
): Promise<BesideFigures> {
  const [tokens, signIns] = await Promise.all([
    clientCredentialsGrants(target, { connections: connections.tokens }, windows.tokens),
    passwordSignIns(target, connections.signIns, windows.signIns),
  ]);
  return { tokens, signIns };
}
