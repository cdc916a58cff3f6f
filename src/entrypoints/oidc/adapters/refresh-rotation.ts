import Provider from 'oidc-provider';

/*
 * What one refresh at the token endpoint has learnt about its chain, kept per request (keyed by
 * the request's context object: gone with the request).
 *
 * The provider refreshes in three steps, each through the RefreshToken adapter: it finds the
 * presented token, consumes it, then saves the successor it made and answers with that
 * successor's value. Gatehouse changes two things on the way:
 * - the consume is held back and done by the successor's write, in one statement (one round
 *   trip per refresh, and the chain's revocation checked in it);
 * - when the presented token was already rotated (a retry after a lost answer, or a concurrent
 *   request of the same app), nothing new is written and the answer carries the chain's current
 *   token instead of the provider's new one (see `answerWithCurrentToken`).
 */
interface RefreshFacts {
  /** The presented token, whose consume waits for the successor's write. */
  pendingConsume?: string;
  /** The presented token was rotated moments ago: answer with this token, write nothing. */
  retryOf?: string;
  /** The token the answer carries instead of the provider's new one. */
  answerWith?: string;
  /** The presented token, to explain a refusal found later in the same request. */
  presented?: string;
}

const facts = new WeakMap<object, RefreshFacts>();

function of(ctx: object): RefreshFacts {
  let known = facts.get(ctx);
  if (!known) facts.set(ctx, (known = {}));
  return known;
}

export function deferConsume(ctx: object, id: string): void {
  of(ctx).pendingConsume = id;
}

/** The token consumed by this request and not yet written, taking it over. */
export function takePendingConsume(ctx: object | undefined): string | undefined {
  if (!ctx) return undefined;
  const known = facts.get(ctx);
  const id = known?.pendingConsume;
  if (known) known.pendingConsume = undefined;
  return id;
}

export function markRetry(ctx: object, currentTokenId: string): void {
  of(ctx).retryOf = currentTokenId;
}

/** The chain's current token when this request is a retry of an already rotated token. */
export function retryOf(ctx: object | undefined): string | undefined {
  return ctx ? facts.get(ctx)?.retryOf : undefined;
}

export function answerWith(ctx: object, tokenId: string): void {
  of(ctx).answerWith = tokenId;
}

export function rememberPresented(ctx: object, id: string): void {
  of(ctx).presented = id;
}

export function presentedRefreshToken(ctx: object | undefined): string | undefined {
  return ctx ? facts.get(ctx)?.presented : undefined;
}

/**
 * The provider answers a refresh with the value its `save()` of the successor returns; when the
 * adapter decided the answer is the chain's current token instead, that is what is returned.
 */
export function answerWithCurrentToken(provider: Provider): void {
  const { prototype } = provider.RefreshToken;
  const save = prototype.save;
  prototype.save = async function saveOrAnswerCurrent(this: { jti: string }, ...args: unknown[]) {
    const value = await (save as (...a: unknown[]) => Promise<string>).apply(this, args);
    const ctx = Provider.ctx;
    const current = ctx ? facts.get(ctx)?.answerWith : undefined;
    if (current === undefined) return value;
    this.jti = current;
    return current;
  } as typeof save;
}
