import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';

export interface StatementTimes {
  statements: number;
  longestMs: number;
  longestSql: string;
  totalMs: number;
}

/** Times every statement a knex instance sends (from knex's own query events) until `stop()`. */
export function timeStatements(knex: Knex): { stop(): StatementTimes } {
  const started = new Map<string, number>();
  const times: StatementTimes = { statements: 0, longestMs: 0, longestSql: '', totalMs: 0 };
  const onQuery = (query: { __knexQueryUid: string }) => started.set(query.__knexQueryUid, performance.now());
  const onResponse = (_response: unknown, query: { __knexQueryUid: string; sql: string }) => {
    const at = started.get(query.__knexQueryUid);
    if (at === undefined) return;
    started.delete(query.__knexQueryUid);
    const ms = performance.now() - at;
    times.statements += 1;
    times.totalMs += ms;
    if (ms > times.longestMs) Object.assign(times, { longestMs: ms, longestSql: query.sql.replace(/\s+/g, ' ').slice(0, 120) });
  };
  knex.on('query', onQuery).on('query-response', onResponse);
  return {
    stop() {
      knex.off('query', onQuery).off('query-response', onResponse);
      return times;
    },
  };
}
