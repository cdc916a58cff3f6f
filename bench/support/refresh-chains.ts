/**
 * Independent refresh-token chains. Refresh tokens rotate on every use and a rotated one is
 * refused, so each request must carry the newest token of its chain, and no chain may be used
 * by two requests at once. Chains are dealt out to connections (chain i to connection
 * i mod connections); a connection takes its own chains in turn and writes each new token back.
 */
export class RefreshChains {
  private readonly tokens: string[];

  constructor(tokens: readonly string[]) {
    this.tokens = [...tokens];
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The chains of connection `index` out of `connections`. */
  cursorFor(index: number, connections: number): ChainCursor {
    const mine: number[] = [];
    for (let chain = index; chain < this.tokens.length; chain += connections) mine.push(chain);
    if (mine.length === 0) throw new Error(`no refresh-token chain left for connection ${index}`);
    return new ChainCursor(this.tokens, mine);
  }
}

export class ChainCursor {
  private position = 0;

  constructor(
    private readonly tokens: string[],
    private readonly chains: number[],
  ) {}

  /** The newest token of the chain whose turn it is. */
  current(): string {
    return this.tokens[this.chains[this.position]!]!;
  }

  /** The chain's request succeeded: keep its new token and go on to the next chain. */
  rotated(newToken: string): void {
    this.tokens[this.chains[this.position]!] = newToken;
    this.advance();
  }

  /** The chain's request failed: its token is as it was (probably dead); go on to the next. */
  skipped(): void {
    this.advance();
  }

  private advance(): void {
    this.position = (this.position + 1) % this.chains.length;
  }
}

/**
 * Signs in `count` times through the hosted login form and keeps each refresh token: `count`
 * real chains, each from its own sign-in, as a fleet of phones would hold them. A few sign-ins
 * run at once; the instance they run on uses a low bcrypt cost so this takes seconds.
 */
export async function chainsBySigningIn(
  count: number,
  parallel: number,
  signIn: (index: number) => Promise<{ refresh_token?: string }>,
): Promise<RefreshChains> {
  const tokens: string[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const { refresh_token } = await signIn(index);
      if (!refresh_token) throw new Error('sign-in gave no refresh token (is offline_access granted?)');
      tokens[index] = refresh_token;
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return new RefreshChains(tokens);
}
