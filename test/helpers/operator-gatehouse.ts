import { OPERATOR_ENV, operatorToken } from './admin-api.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from './test-gatehouse.js';

/**
 * A Gatehouse on the fullest storage this machine offers, with the bootstrap operator client and
 * an admin token for it: what most admin-API and security tests start from.
 */
export async function startOperatorGatehouse(env: Readonly<Record<string, string>> = {}): Promise<{ server: TestGatehouse; issuer: string; operator: string }> {
  const server = await startTestGatehouse(fullestStorage(), { env: { ...OPERATOR_ENV, ...env } });
  return { server, issuer: server.issuer, operator: await operatorToken(server.issuer) };
}
