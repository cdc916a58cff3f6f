import { Router } from '@koa/router';
import type { Context } from 'koa';
import type { SesNotifications } from '../../domain/delivery/ses-notifications.js';
import { SnsVerificationError, type SnsMessageVerifier } from '../../infrastructure/courier/sns-message-verifier.js';
import { GatehouseError } from '../../infrastructure/http/gatehouse-error.js';
import type { Logger } from '../../infrastructure/observability/logger.js';

export interface SesNotificationDependencies {
  verifier: SnsMessageVerifier;
  notifications: SesNotifications;
  logger: Logger;
  /** Topics whose messages are accepted (and whose subscriptions are confirmed); empty: any. */
  topicArns: string[];
}

export const SES_NOTIFICATIONS_PATH = '/webhooks/ses';
const MAX_BODY = 256 * 1024;

/**
 * The HTTPS endpoint of an SNS subscription to SES's bounce and complaint notifications. Every
 * message must carry a valid SNS signature; a subscription confirmation is confirmed by fetching
 * its SubscribeURL.
 */
export function createSesNotificationRouter(deps: SesNotificationDependencies): Router {
  const router = new Router();
  router.post(SES_NOTIFICATIONS_PATH, async (ctx) => {
    const body = await rawBody(ctx);
    let envelope;
    try {
      envelope = await deps.verifier.verify(body);
    } catch (err) {
      if (err instanceof SnsVerificationError) throw new GatehouseError('invalid_request', `Not a valid SNS message: ${err.message}.`);
      throw err;
    }
    if (deps.topicArns.length && !deps.topicArns.includes(envelope.TopicArn)) throw new GatehouseError('forbidden', 'Messages of this SNS topic are not accepted.');
    if (envelope.Type === 'SubscriptionConfirmation') {
      try {
        await deps.verifier.confirm(envelope);
      } catch (err) {
        if (err instanceof SnsVerificationError) throw new GatehouseError('invalid_request', `The subscription could not be confirmed: ${err.message}.`);
        throw err;
      }
      deps.logger.info({ topicArn: envelope.TopicArn }, 'SES notification subscription confirmed');
    } else if (envelope.Type === 'Notification') {
      const message = await deps.notifications.record(envelope.Message);
      if (message) deps.logger.info({ messageId: message.id, status: message.status }, 'SES notification recorded');
    }
    ctx.status = 204;
  });
  return router;
}

async function rawBody(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new GatehouseError('invalid_request', 'The body is too large for an SNS message.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
