import type { Context } from 'koa';

/** RFC 9457 problem details: the one shape every API error of Gatehouse takes. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  type?: string;
  [extension: string]: unknown;
}

export function sendProblem(ctx: Context, problem: Problem): void {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = { type: problem.type ?? 'about:blank', ...problem };
}
