import { OPERATOR_ENV, adminCall, operatorToken } from '../helpers/admin-api.js';
import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';
import { exampleResult } from './example-app.js';

/**
 * examples/third-party-integration/integration.mjs against a running Gatehouse with the demo's
 * integration client, through a secret rotation as docs/integrating/third-party-integration.md
 * describes it: two secrets live during the overlap, then only the new one.
 */
describe('the third-party integration example', () => {
  let server: TestGatehouse;
  let operator: string;

  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage(), { env: OPERATOR_ENV });
    operator = await operatorToken(server.issuer);
  });

  afterAll(async () => {
    await server?.stop();
  });

  const run = (secret: string) => exampleResult('third-party-integration/integration.mjs', [], { GATEHOUSE: server.issuer, CLIENT_ID: 'demo-integration', CLIENT_SECRET: secret });
  const rotate = async (overlapDays: number): Promise<string> => {
    const rotated = await adminCall(server.issuer, operator, 'POST', '/tenants/demo/clients/demo-integration/secrets', { overlap_days: overlapDays });
    expect(rotated.status).toBe(201);
    return rotated.body.client_secret;
  };

  it('gets a token, keeps working through a rotation with both secrets, and says so when its secret is retired', async () => {
    expect(await run('demo-integration-secret')).toEqual({ code: 0, output: expect.stringMatching(/^Got an access token for demo-integration, valid for \d+ s$/) });

    const second = await rotate(7);
    const [old, current] = await Promise.all([run('demo-integration-secret'), run(second)]);
    expect(old.code).toBe(0);
    expect(current.code).toBe(0);

    const third = await rotate(0);
    const retired = await run(second);
    expect(retired.code).toBe(2);
    expect(retired.output).toMatch(/^Gatehouse refused the client secret of demo-integration: the client secret expired at \S+ after a rotation; use the current secret$/);
    expect((await run(third)).code).toBe(0);
  });
});
