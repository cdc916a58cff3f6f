import { fullestStorage, startTestGatehouse, type TestGatehouse } from '../helpers/test-gatehouse.js';

/**
 * Events are written in batches, a batch as one statement of column arrays (see event-log.ts):
 * whatever a request carried into an event (a user agent, a client id, details) must come back
 * out of the table exactly as the event held it, however it has to be quoted inside an array.
 */
describe('event batches', () => {
  let server: TestGatehouse;
  beforeAll(async () => {
    server = await startTestGatehouse(fullestStorage());
  });
  afterAll(async () => server?.stop());

  it('keeps every character of a batch of events, text and JSON, and their order', async () => {
    const awkward = ['"quoted"', 'back\\slash', '{braces},commas', 'NULL', '', ' spaced ', 'ünïcödé 🔑 中文', "it's", 'a\nnew line'];
    const marker = `batch-${Date.now()}`;
    awkward.forEach((text, index) =>
      server.gatehouse.events.record({
        type: 'login.failed',
        reason: 'wrong_password',
        client_id: text,
        user_agent: `${text} ${index}`,
        ip: index % 2 ? null : text.slice(0, 10),
        details: { marker, index, text, nested: { list: [text, null, 1] } },
      } as never),
    );
    await server.gatehouse.events.flush();
    const rows = await server.gatehouse.database
      .knex('events')
      .whereRaw("details->>'marker' = ?", [marker])
      .orderBy('id')
      .select<{ type: string; reason: string; client_id: string; user_agent: string; ip: string | null; details: { index: number; text: string; nested: unknown }; at: Date }[]>('type', 'reason', 'client_id', 'user_agent', 'ip', 'details', 'at');
    expect(rows.map((row) => row.details.index)).toEqual(awkward.map((_, index) => index));
    rows.forEach((row, index) => {
      const text = awkward[index]!;
      expect(row).toMatchObject({ type: 'login.failed', reason: 'wrong_password', client_id: text, user_agent: `${text} ${index}`, ip: index % 2 ? null : text.slice(0, 10) });
      expect(row.details).toEqual({ marker, index, text, nested: { list: [text, null, 1] } });
      expect(row.at).toBeInstanceOf(Date);
    });
  });
});
