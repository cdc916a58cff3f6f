import type { ArtifactRepository } from '../../../domain/sessions/artifact.repository.js';

interface PendingConsume {
  artifacts: ArtifactRepository;
  type: string;
  id: string;
}

// Keyed by the request's context object: gone with the request.
const pending = new WeakMap<object, PendingConsume>();

/**
 * A refresh at the token endpoint consumes the presented token, then saves its rotated
 * successor. The consume is held here and done by that save in one statement; should anything
 * end the request before the save, `settlePendingConsume` does it on the way out, so a consumed
 * token is never left unconsumed.
 */
export function deferConsume(ctx: object, consume: PendingConsume): void {
  pending.set(ctx, consume);
}

/** The token consumed by this request and not yet written, taking it over. */
export function takePendingConsume(ctx: object | undefined): string | undefined {
  if (!ctx) return undefined;
  const consume = pending.get(ctx);
  pending.delete(ctx);
  return consume?.id;
}

/** Carries out a consume no save took over (post-middleware of every provider request). */
export async function settlePendingConsume(ctx: object): Promise<void> {
  const consume = pending.get(ctx);
  if (!consume) return;
  pending.delete(ctx);
  // The request is already answered; whether another request consumed it first changes nothing.
  await consume.artifacts.consume(consume.type, consume.id);
}
