import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

/**
 * A real program run for a test (Apache, a Python script, a Node app): its output kept for the
 * failure message, stopped by its own process id.
 */
export class RunningProcess {
  readonly output: string[] = [];
  private readonly lineListeners = new Set<(line: string) => void>();
  private readonly exited: Promise<number | null>;
  private pending = '';

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const collect = (chunk: Buffer) => {
      this.pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = this.pending.indexOf('\n')) !== -1) {
        const line = this.pending.slice(0, newline);
        this.pending = this.pending.slice(newline + 1);
        this.output.push(line);
        for (const listener of this.lineListeners) listener(line);
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(name: string, command: string, args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): RunningProcess {
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    return new RunningProcess(name, child);
  }

  /** Lines before this index were read by `nextLine`. */
  private read = 0;

  /** The next line of output not read yet that matches (printed already, or within `timeoutMs`). */
  nextLine(matching: RegExp, timeoutMs = 10_000): Promise<string> {
    for (; this.read < this.output.length; this.read++) {
      const line = this.output[this.read]!;
      if (matching.test(line)) {
        this.read++;
        return Promise.resolve(line);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.lineListeners.delete(listener);
        reject(new Error(`${this.name}: no line matching ${matching} within ${timeoutMs} ms; output:\n${this.output.join('\n')}`));
      }, timeoutMs);
      const listener = (line: string) => {
        this.read = this.output.length;
        if (!matching.test(line)) return;
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        resolve(line);
      };
      this.lineListeners.add(listener);
      void this.exited.then((code) => {
        if (!this.lineListeners.has(listener)) return;
        clearTimeout(timer);
        this.lineListeners.delete(listener);
        reject(new Error(`${this.name} exited (${code}) before printing ${matching}; output:\n${this.output.join('\n')}`));
      });
    });
  }

  write(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  async exitCode(timeoutMs = 10_000): Promise<number | null> {
    const timer = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${this.name} still running after ${timeoutMs} ms; output:\n${this.output.join('\n')}`)), timeoutMs).unref());
    return Promise.race([this.exited, timer]);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(killed);
  }
}

/** Resolves once something accepts connections on 127.0.0.1:`port`. */
export async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port }, () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
