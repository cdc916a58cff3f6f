import { AsyncResource } from 'node:async_hooks';

/**
 * Statements that requests ask for in the same turn of the event loop, sent as one.
 *
 * Under load, several requests reach the same statement in one turn (the requests of every
 * socket that was readable are handled before the loop turns again): on two cores with ten
 * connections refreshing, two or three refreshes a turn. Each statement sent alone is a write
 * to PostgreSQL's socket and an execution there, and on a virtual machine a write to a local
 * socket costs as much CPU as the rest of the statement. Gathered until the turn ends
 * (`setImmediate` runs once the sockets read in this turn have been handled), they travel and
 * run as one statement, and each caller gets its own part of the answer.
 *
 * One request alone (an idle server, a test) still gets its own statement, as soon as the turn
 * ends: `one`. The batch runs outside any request's context: it belongs to all of its callers.
 *
 * Only for statements whose batched form PostgreSQL cannot plan worse than the single one: a
 * look-up by key per item (see ArtifactRepository.findRefreshToken), never `= ANY (array)`.
 */
export class TickBatch<Item, Result> {
  private pending: { item: Item; resolve: (result: Result) => void; reject: (err: unknown) => void }[] = [];
  private readonly context = new AsyncResource('gatehouse.tick-batch');

  constructor(
    private readonly run: {
      /** One caller's statement, as it would be sent without batching. */
      one: (item: Item) => Promise<Result>;
      /** Several callers' statement: one result per item, in their order. */
      many: (items: readonly Item[]) => Promise<Result[]>;
      /**
       * Whether a refusal of the whole batch may be one item's fault (bad data), so each is
       * sent again alone and only that one fails. Not for a lost connection: every item would
       * wait for it again.
       */
      retryAlone: (err: unknown) => boolean;
    },
    private readonly maxItems = 100,
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      const size = this.pending.push({ item, resolve, reject });
      if (size === 1) this.context.runInAsyncScope(() => setImmediate(() => this.flush()));
      else if (size >= this.maxItems) this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (batch.length === 1) {
      const [only] = batch as [(typeof batch)[number]];
      this.run.one(only.item).then(only.resolve, only.reject);
      return;
    }
    this.run.many(batch.map((entry) => entry.item)).then(
      (results) => batch.forEach((entry, index) => entry.resolve(results[index]!)),
      (err: unknown) => {
        if (!this.run.retryAlone(err)) return batch.forEach((entry) => entry.reject(err));
        for (const entry of batch) this.run.one(entry.item).then(entry.resolve, entry.reject);
      },
    );
  }
}

/**
 * PostgreSQL refusals of a batch that its items sent alone may not meet: SQLSTATE class 22
 * (data exception) and 23 (integrity constraint), one item's fault; class 40 (a deadlock or
 * serialization failure), which a statement doing the work of several requests is likelier to
 * meet than each alone. A refused statement did nothing, so sending its items again is safe.
 */
export function mayRetryAlone(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|40)[0-9A-Z]{3}$/.test(code);
}
