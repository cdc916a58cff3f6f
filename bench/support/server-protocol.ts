/**
 * Messages between the bench (parent) and a server it runs in a child process (server-process.ts).
 *
 * Servers run in their own process so the load generator does not share their event loop: on
 * 2 cores, autocannon and the server on one thread would halve what the server can do and
 * measure the two together.
 */
export type ServerSpec =
  /**
   * Bare oidc-provider with its in-memory adapter, listening on 127.0.0.1:`port`. (Gatehouse
   * runs as operators run it instead, see gatehouse-process.ts.)
   */
  { kind: 'bare'; port: number };

export type ToServer =
  /** Bare only: create refresh tokens in-process (it has no sign-in pages). */
  | { type: 'mint-refresh-tokens'; count: number }
  | { type: 'stop' };

export type FromServer =
  | { type: 'ready'; origin: string }
  | { type: 'refresh-tokens'; tokens: string[] }
  | { type: 'failed'; message: string };

/** What a child runs, whichever server it is. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  mintRefreshTokens?(count: number): Promise<string[]>;
  close(): Promise<void>;
}
