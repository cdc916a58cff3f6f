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
  ctx.body = problemDocument(problem);
}

/** The document itself, `type` defaulted: also for answers written without Koa (malformed-requests.ts). */
export function problemDocument(problem: Problem): Problem & { type: string } {
  return { type: problem.type ?? 'about:blank', ...problem };
}
