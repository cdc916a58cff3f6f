/**
 * What to undo when the run ends, newest first: servers stop before their databases are
 * dropped. Runs once, whether the run finished, failed or was interrupted (Ctrl-C).
 */
export class Cleanup {
  private readonly steps: { label: string; undo: () => Promise<void> }[] = [];
  private running?: Promise<void>;

  /** Registers `undo`; the returned function runs it early (when the thing is no longer needed). */
  add(label: string, undo: () => Promise<void>): () => Promise<void> {
    const step = { label, undo };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index < 0) return;
      this.steps.splice(index, 1);
      await step.undo();
    };
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      while (this.steps.length) {
        const step = this.steps.pop()!;
        try {
          await step.undo();
        } catch (err) {
          process.stderr.write(`cleanup: ${step.label} failed: ${(err as Error).message}\n`);
        }
      }
    })();
    return this.running;
  }
}
