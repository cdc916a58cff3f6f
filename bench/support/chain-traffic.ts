import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { DEMO } from '../../src/entrypoints/demo/demo-objects.js';
import { signInOverFetch } from './sign-in-over-fetch.js';
import type { SignInClient } from './sign-in-flow.js';

/** How one refresh request ended, as the app saw it. */
export type RefreshResult =
  /** 200 with a new refresh token. */
  | 'ok'
  /** The connection was refused before anything was sent: the load balancer tries the next server. */
  | 'refused'
  /** The request was sent and the connection died without an answer. */
  | 'reset'
  /** No answer within the app's timeout. */
  | 'timeout'
  /** A 5xx answer (503 temporarily_unavailable, or worse). */
  | 'unavailable'
  /** 400 invalid_grant: the chain is over, the person must sign in again. */
  | 'denied'
  | 'other';

export interface RefreshOutcome {
  chain: number;
  origin: string;
  /** performance.now() at send and at the answer (or failure). */
  sentAt: number;
  endedAt: number;
  result: RefreshResult;
  status?: number;
  error?: string;
  description?: string;
  /** Sent on a kept-alive connection (a reset there may be the keep-alive race, not the server). */
  reusedSocket?: boolean;
  /** The server closed the connection after this answer (`Connection: close`): it is leaving. */
  serverLeaving?: boolean;
}

export interface TrafficOptions {
  /** Servers behind the "load balancer": a chain moves to the next when its server refuses connections. */
  origins: string[];
  /** One refresh token per chain. */
  tokens: string[];
  clientId?: string;
  /** Pause between a chain's refreshes; 0: back to back. */
  paceMs?: number;
  /** The app's own timeout per request. */
  timeoutMs?: number;
  /** Pause before an app retries after a failure (same token). */
  retryDelayMs?: number;
  /** Deal the chains out over the servers instead of starting them all on the first. */
  spread?: boolean;
}

/**
 * Mobile apps refreshing their tokens, one chain per app, over keep-alive connections, through a
 * client-side load balancer that moves to the next server when one refuses connections or
 * closes its connection after an answer (a replica that is stopping). An app keeps
 * its token until an answer brings a new one: after a failure it retries with the same token,
 * as a careful app does; a refusal (`invalid_grant`) ends the chain, the person would have to
 * sign in again. That is what "a chain lost" means here.
 */
export class ChainTraffic {
  readonly outcomes: RefreshOutcome[] = [];
  /** Chains that ended, with the description the app was given. */
  readonly lost = new Map<number, string>();
  readonly tokens: string[];
  private readonly agents = new Map<string, http.Agent>();
  private readonly originOf: number[];
  private stopping = false;
  private running: Promise<void>[] = [];

  constructor(private readonly options: TrafficOptions) {
    this.tokens = [...options.tokens];
    this.originOf = options.tokens.map((_, chain) => (options.spread ? chain % options.origins.length : 0));
  }

  start(): void {
    this.running = this.tokens.map((_, chain) => this.drive(chain));
  }

  /** Stops every chain after its request in flight. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.running);
    for (const agent of this.agents.values()) agent.destroy();
  }

  /** Outcomes whose answer came within [from, to] (performance.now() times). */
  between(from: number, to = Infinity): RefreshOutcome[] {
    return this.outcomes.filter((o) => o.endedAt >= from && o.endedAt <= to);
  }

  /** The latest time every chain still alive had a success (performance.now()), or undefined. */
  allChainsOkSince(since: number): number | undefined {
    let latest = since;
    for (let chain = 0; chain < this.tokens.length; chain++) {
      if (this.lost.has(chain)) continue;
      const first = this.outcomes.find((o) => o.chain === chain && o.result === 'ok' && o.sentAt >= since);
      if (!first) return undefined;
      latest = Math.max(latest, first.endedAt);
    }
    return latest;
  }

  private async drive(chain: number): Promise<void> {
    const { paceMs = 0, retryDelayMs = 100 } = this.options;
    let refusedInARow = 0;
    while (!this.stopping && !this.lost.has(chain)) {
      const outcome = await this.refresh(chain);
      this.outcomes.push(outcome);
      if (outcome.serverLeaving) this.originOf[chain] = (this.originOf[chain]! + 1) % this.options.origins.length;
      if (outcome.result === 'ok') {
        refusedInARow = 0;
        if (paceMs) await sleep(paceMs);
        continue;
      }
      if (outcome.result === 'denied') {
        this.lost.set(chain, outcome.description ?? outcome.error ?? 'invalid_grant');
        return;
      }
      if (outcome.result === 'refused') {
        // The load balancer's part: the next server, at once; a pause only once all refused.
        this.originOf[chain] = (this.originOf[chain]! + 1) % this.options.origins.length;
        if (++refusedInARow >= this.options.origins.length) await sleep(retryDelayMs);
        continue;
      }
      await sleep(retryDelayMs);
    }
  }

  private agentFor(origin: string): http.Agent {
    let agent = this.agents.get(origin);
    if (!agent) this.agents.set(origin, (agent = new http.Agent({ keepAlive: true, maxSockets: Infinity })));
    return agent;
  }

  private refresh(chain: number): Promise<RefreshOutcome> {
    const origin = this.options.origins[this.originOf[chain]!]!;
    const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.tokens[chain]!, client_id: this.options.clientId ?? DEMO.mobile.clientId }).toString();
    const sentAt = performance.now();
    const done = (fields: Omit<RefreshOutcome, 'chain' | 'origin' | 'sentAt' | 'endedAt'>): RefreshOutcome => ({ chain, origin, sentAt, endedAt: performance.now(), ...fields });
    return new Promise((resolve) => {
      let settled = false;
      const settle = (outcome: RefreshOutcome) => {
        if (settled) return;
        settled = true;
        resolve(outcome);
      };
      const request = http.request(`${origin}/token`, {
        method: 'POST',
        agent: this.agentFor(origin),
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      request.setTimeout(this.options.timeoutMs ?? 15_000, () => {
        settle(done({ result: 'timeout', reusedSocket: request.reusedSocket }));
        request.destroy();
      });
      request.on('error', (err: NodeJS.ErrnoException) => {
        const result = err.code === 'ECONNREFUSED' ? 'refused' : ['ECONNRESET', 'EPIPE'].includes(err.code ?? '') || err.message === 'socket hang up' ? 'reset' : 'other';
        settle(done({ result, error: err.code ?? err.message, reusedSocket: request.reusedSocket }));
      });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', (err) => settle(done({ result: 'reset', error: err.message, reusedSocket: request.reusedSocket })));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const answer = parse(text);
          const serverLeaving = response.headers.connection === 'close';
          if (status === 200 && typeof answer.refresh_token === 'string') {
            this.tokens[chain] = answer.refresh_token;
            return settle(done({ result: 'ok', status, serverLeaving }));
          }
          const fields = { status, error: answer.error, description: answer.error_description, serverLeaving };
          if (status === 400 && answer.error === 'invalid_grant') return settle(done({ result: 'denied', ...fields }));
          settle(done({ result: status >= 500 ? 'unavailable' : 'other', ...fields }));
        });
      });
      request.end(body);
    });
  }
}

/** What a set of outcomes says, for a report or an assertion. */
export function summarize(outcomes: RefreshOutcome[]): { requests: number; ok: number; failed: number; byResult: Record<string, number>; slowestMs: number } {
  const byResult: Record<string, number> = {};
  let slowestMs = 0;
  for (const outcome of outcomes) {
    byResult[outcome.result] = (byResult[outcome.result] ?? 0) + 1;
    if (outcome.result !== 'refused') slowestMs = Math.max(slowestMs, outcome.endedAt - outcome.sentAt);
  }
  const ok = byResult.ok ?? 0;
  const refused = byResult.refused ?? 0;
  return { requests: outcomes.length - refused, ok, failed: outcomes.length - ok - refused, byResult, slowestMs: Math.round(slowestMs) };
}

/**
 * `count` sign-ins through the hosted login form at `origin` (the demo's mobile app, as
 * `username`), a few at a time: one refresh-token chain each. `issuer`: where the app's
 * redirect URI is registered, when `origin` is one of several servers behind it.
 */
export async function signInChains(origin: string, count: number, options: { username?: string; password?: string; issuer?: string; parallel?: number } = {}): Promise<string[]> {
  const client: SignInClient = {
    origin,
    authorizationPath: '/auth',
    tokenPath: '/token',
    clientId: DEMO.mobile.clientId,
    redirectUri: `${options.issuer ?? origin}${DEMO.callbackPath}`,
    scope: 'openid offline_access',
  };
  const tokens: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next += 1;
      const { refresh_token } = await signInOverFetch(client, { username: options.username ?? 'alice', password: options.password ?? DEMO.password });
      if (!refresh_token) throw new Error('sign-in gave no refresh token');
      tokens.push(refresh_token);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 4, count) }, worker));
  return tokens;
}

function parse(text: string): { refresh_token?: unknown; error?: string; error_description?: string } {
  try {
    return JSON.parse(text) as { refresh_token?: unknown; error?: string; error_description?: string };
  } catch {
    return {};
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
