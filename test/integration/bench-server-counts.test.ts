import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serverCountsDuring } from '../../bench/support/server-counts.js';
import { MeasurementWindow } from '../../bench/support/window.js';

/**
 * The bench reads Gatehouse's own counts of a window from its metrics: round trips per request
 * and the share answered within 25 ms, for one route only, whatever order the labels come in.
 */
describe("the bench's reading of Gatehouse's own counts", () => {
  let server: http.Server;
  let scrapes = 0;
  beforeAll(async () => {
    server = http.createServer((_request, response) => {
      // Second reading: 1,000 more /token requests, 990 of them within 25 ms; 3,000 round trips.
      const n = scrapes++ === 0 ? 0 : 1;
      response.end(
        [
          `gatehouse_storage_round_trips_total{store="postgres"} ${100 + 2000 * n}`,
          `gatehouse_storage_round_trips_total{store="redis"} ${50 + 1000 * n}`,
          `gatehouse_http_request_duration_seconds_bucket{le="0.01",method="POST",route="/token",status="200"} ${10 + 900 * n}`,
          `gatehouse_http_request_duration_seconds_bucket{method="POST",route="/token",status="200",le="0.025"} ${20 + 990 * n}`,
          `gatehouse_http_request_duration_seconds_bucket{le="0.025",method="POST",route="/token/introspection",status="200"} ${5 + 400 * n}`,
          `gatehouse_http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/token",status="200"} ${20 + 1000 * n}`,
          `gatehouse_http_request_duration_seconds_count{method="POST",route="/token",status="200"} ${20 + 1000 * n}`,
          `gatehouse_http_request_duration_seconds_count{method="POST",route="/token/introspection",status="200"} ${5 + 500 * n}`,
        ].join('\n'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gives round trips per request and the share within 25 ms of the route', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const counts = await serverCountsDuring(new MeasurementWindow(0.3, 0.2), url, '/token');
    expect(counts).toEqual({ roundTrips: { postgres: 2, redis: 1 }, shareWithin25Ms: 0.99 });
  });
});
