import { spawn } from 'node:child_process';
import pg from 'pg';
import { cpuDuring } from '../../bench/support/foreign-cpu.js';
import { exitOf } from '../../bench/support/processes.js';
import { MeasurementWindow } from '../../bench/support/window.js';

const describeOnLinux = process.platform === 'linux' && process.env.TEST_DATABASE_URL ? describe : describe.skip;

/**
 * The bench's "CPU µs per op" column: CPU time is put down to the part that spent it (the server
 * and the processes it started, PostgreSQL, the load generator), not guessed from throughput.
 */
describeOnLinux("the bench's CPU split", () => {
  it("puts the CPU of a server's child and of a busy PostgreSQL each down to their own part", async () => {
    // A "server" that only waits for the child it started, which spins for two seconds (as a
    // cluster's primary waits while its processes serve): the child's time is the server's.
    const spin = 'const end = Date.now() + 2000; while (Date.now() < end);';
    const server = spawn(process.execPath, ['-e', `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(spin)}], { stdio: 'inherit' })`], { stdio: 'ignore' });
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    try {
      const window = new MeasurementWindow(0.2, 1.5);
      const [use] = await Promise.all([cpuDuring(window, { bench: process.pid, server: server.pid }), client.query('SELECT count(*) FROM generate_series(1, 20000000)')]);
      expect(use.split).toBeDefined();
      const { server: serverSeconds, postgres, loadGenerator } = use.split!;
      // On a shared CI machine the spinning processes get far less than their two cores (beside
      // a full run's other suites, less than a third of a core each at times); what counts is
      // where the time is put down.
      expect(serverSeconds).toBeGreaterThan(0.1);
      expect(postgres).toBeGreaterThan(0.05);
      expect(loadGenerator).toBeLessThan(serverSeconds);
    } finally {
      await client.end();
      await exitOf(server);
    }
  }, 30_000);
});
