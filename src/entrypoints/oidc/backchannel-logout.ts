import { randomUUID } from 'node:crypto';
import type Provider from 'oidc-provider';
import type { LogoutNotice, LogoutNoticeResult, LogoutNotices } from '../../domain/sessions/logout-notices.js';
import type { JobAttempt } from '../../infrastructure/queue/job-queue.js';
import type { Logger } from '../../infrastructure/observability/logger.js';
import { postForm } from '../../infrastructure/http/outbound-post.js';

const LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
const SEND_TIMEOUT_MS = 5_000;

/**
 * The provider sends logout tokens itself when a person signs out at the end-session endpoint,
 * once, while the browser waits, and lost if the app is down. Instead, each becomes a job of the
 * durable queue (the same one sign-out everywhere uses), sent and retried by `sendLogoutToken`.
 */
export function queueBackchannelLogouts(provider: Provider, notices: LogoutNotices): void {
  provider.Client.prototype.backchannelLogout = async function backchannelLogout(this: { clientId: string }, sub: string, sid?: string) {
    await notices.send([{ clientId: this.clientId, accountId: sub, ...(sid ? { sid } : {}) }]);
  } as never;
}

/**
 * Sends one logout token (OpenID Connect Back-Channel Logout 1.0 §2.4): signed like the client's
 * ID tokens, `events` naming back-channel logout, `sub`, and `sid` when one session ends. 200 or
 * 204 is taken; a 4xx is the app refusing the token, which retrying would not change; anything
 * else (or no answer) is retried with backoff by the queue.
 */
export function createLogoutTokenSender(provider: Provider, logger: Logger, options: { publicOnly: boolean }): (job: JobAttempt<LogoutNotice>) => Promise<LogoutNoticeResult> {
  return async (job) => {
    const { clientId, accountId, sid } = job.data;
    const client = await provider.Client.find(clientId);
    const uri = client?.backchannelLogoutUri;
    if (!client || !uri) return { delivered: false, refused: 'the app was deleted or no longer has a backchannel_logout_uri' };

    const token = new provider.IdToken({ sub: accountId }, { client, ctx: undefined as never }) as unknown as {
      mask: unknown;
      set(claim: string, value: unknown): void;
      issue(options: { use: 'logout' }): Promise<string>;
    };
    token.mask = { sub: null };
    token.set('events', { [LOGOUT_EVENT]: {} });
    token.set('jti', randomUUID());
    if (sid) token.set('sid', sid);
    const logoutToken = await token.issue({ use: 'logout' });

    let status: number;
    try {
      status = await postForm(uri, { logout_token: logoutToken }, { timeoutMs: SEND_TIMEOUT_MS, publicOnly: options.publicOnly, userAgent: 'Gatehouse back-channel logout' });
    } catch (err) {
      if ((err as { code?: string }).code === 'EPRIVATEADDRESS') {
        // Retrying will not make the address public: the administrator must register another URI.
        logger.warn({ clientId }, 'logout token not sent: the app\'s backchannel_logout_uri is on a private network');
        return { delivered: false, refused: (err as Error).message };
      }
      const reason = `could not reach the app: ${(err as Error).name === 'TimeoutError' ? `no answer within ${SEND_TIMEOUT_MS / 1000} s` : (err as Error).message}`;
      logger.warn({ clientId, attempt: job.retryCount + 1, reason }, 'logout token not delivered');
      throw new Error(reason);
    }
    if (status === 200 || status === 204) return { delivered: true, status };
    const reason = `the app answered HTTP ${status}`;
    logger.warn({ clientId, attempt: job.retryCount + 1, status }, 'logout token not delivered');
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return { delivered: false, refused: `${reason}: it refused the logout token` };
    throw new Error(reason);
  };
}
