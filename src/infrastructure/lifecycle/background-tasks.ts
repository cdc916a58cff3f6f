/**
 * Work a request starts but does not wait for (emails, SMS alerts, last-used figures, event
 * lookups), tracked so that a shutdown lets it finish before the databases close: a code sent
 * while the process is stopping still goes out.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<unknown>>();

  /** Runs `task` without making the caller wait; its failure is the task's own to handle. */
  run(task: Promise<unknown>): void {
    const tracked = task.catch(() => undefined).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Resolves when everything started so far has ended, or after `timeoutMs`. */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Tasks may start further tasks while finishing: loop until none is left or time is up.
    while (this.pending.size && Date.now() < deadline) {
      const timeLeft = new Promise<void>((resolve) => setTimeout(resolve, deadline - Date.now()).unref());
      await Promise.race([Promise.allSettled([...this.pending]), timeLeft]);
    }
  }
}

export type RunInBackground = (task: Promise<unknown>) => void;
