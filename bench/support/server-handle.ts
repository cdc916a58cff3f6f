import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromServer, ServerSpec, ToServer } from './server-protocol.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
// Enough of the child's own output to explain a failure; it is silent when all goes well.
const OUTPUT_TAIL_CHARS = 8_000;

/** The bench's side of a server running in a child process (see server-protocol.ts). */
export class ServerHandle {
  private output = '';
  private exited = false;
  private stopping = false;

  private constructor(
    readonly label: string,
    readonly origin: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(label: string, spec: ServerSpec): Promise<ServerHandle> {
    const child = fork(fileURLToPath(new URL('./server-process.js', import.meta.url)), [JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    try {
      const ready = await nextMessage(child, 'ready', START_TIMEOUT_MS);
      const handle = new ServerHandle(label, ready.origin, child);
      handle.output = output;
      child.stdout!.off('data', keep).on('data', (chunk: Buffer) => handle.keep(chunk));
      child.stderr!.off('data', keep).on('data', (chunk: Buffer) => handle.keep(chunk));
      child.once('exit', (code, signal) => {
        handle.exited = true;
        // A server that dies mid-run shows up as connection errors; say why it died.
        if (!handle.stopping && signal !== 'SIGINT' && signal !== 'SIGTERM') process.stderr.write(`${label} exited unexpectedly (${signal ?? code})\n${handle.output}\n`);
      });
      return handle;
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${label} did not start: ${(err as Error).message}${output ? `\n--- its output ---\n${output}` : ''}`);
    }
  }

  async mintRefreshTokens(count: number): Promise<string[]> {
    this.send({ type: 'mint-refresh-tokens', count });
    return (await nextMessage(this.child, 'refresh-tokens', START_TIMEOUT_MS)).tokens;
  }

  /** The child's process id (its CPU time is the bench's own, not other work's). */
  get pid(): number {
    return this.child.pid!;
  }

  /** Asks the server to drain and close its storage; kills it if it does not exit in time. */
  async stop(): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private keep(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  }

  private send(message: ToServer): void {
    if (this.child.connected) this.child.send(message);
  }
}

/** The next message of `type` from the child; a `failed` message or an exit rejects. */
function nextMessage<T extends FromServer['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: FromServer) => {
      if (message.type === type) {
        cleanup();
        resolve(message as Extract<FromServer, { type: T }>);
      } else if (message.type === 'failed') {
        cleanup();
        reject(new Error(message.message));
      }
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`server process exited (${signal ?? code}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no "${type}" from the server process within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
