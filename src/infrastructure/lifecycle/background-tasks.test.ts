import { BackgroundTasks } from './background-tasks.js';

describe('BackgroundTasks', () => {
  it('lets started work finish before a shutdown goes on, even work started by that work', async () => {
    const tasks = new BackgroundTasks();
    const done: string[] = [];
    tasks.run(
      new Promise<void>((resolve) =>
        setTimeout(() => {
          done.push('email');
          tasks.run(new Promise<void>((r) => setTimeout(() => r(void done.push('follow-up')), 10)));
          resolve();
        }, 20),
      ),
    );
    await tasks.drain();
    expect(done).toEqual(['email', 'follow-up']);
  });

  it('does not let a failed task fail the shutdown, and gives up after the timeout', async () => {
    const tasks = new BackgroundTasks();
    tasks.run(Promise.reject(new Error('delivery failed')));
    tasks.run(new Promise(() => undefined));
    const started = Date.now();
    await tasks.drain(50);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
