import { readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { startDeadline } from './deadline.js';

function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/**
 * An echo server in a process of its own (so it answers while this one is busy), answering
 * each message 20 ms after it came, and a client that waits for the answer under a deadline.
 */
async function slowEcho(): Promise<{ ask(message: string, deadlineMs: number): Promise<string>; close(): void }> {
  const child = spawn(process.execPath, ['-e', "const s = require('node:net').createServer((c) => c.on('data', (d) => setTimeout(() => c.write(d), 20))).listen(0, '127.0.0.1', () => console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const client: Socket = connect(Number(line.toString().trim()), '127.0.0.1');
  await once(client, 'connect');
  return {
    ask: (message, deadlineMs) =>
      new Promise<string>((resolve, reject) => {
        const cancel = startDeadline(deadlineMs, () => reject(new Error('timed out')));
        client.once('data', (data) => {
          cancel();
          resolve(data.toString());
        });
        client.write(message);
      }),
    close() {
      client.destroy();
      child.kill();
    },
  };
}

describe('startDeadline', () => {
  it('takes an answer that arrived while this process was too busy to read it', async () => {
    const echo = await slowEcho();
    try {
      // The wait starts; then this process is kept busy past the deadline inside an I/O
      // callback (where a burst of requests keeps it), and the answer arrives meanwhile.
      const answer = echo.ask('ping', 50);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await readFile('/dev/null');
      // Long enough for the other process to answer even on a loaded machine.
      busyFor(500);
      await expect(answer).resolves.toBe('ping');
    } finally {
      echo.close();
    }
  });

  it('expires when no answer comes', async () => {
    const expired = await new Promise<number>((resolve) => {
      const started = Date.now();
      startDeadline(30, () => resolve(Date.now() - started));
    });
    expect(expired).toBeGreaterThanOrEqual(29);
  });

  it('never expires once cancelled', async () => {
    let expired = false;
    const cancel = startDeadline(10, () => (expired = true));
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(expired).toBe(false);
  });
});
