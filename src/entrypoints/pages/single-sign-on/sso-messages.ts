import type { FederatedRefusal } from '../../../domain/federation/federated-sign-in.service.js';
import type { SsoConnection } from '../../../domain/federation/sso-connection.js';
import { t } from '../rendering/page-text.js';

/** The page of each refusal: what happened, in the person's terms, and what to do next. */
export function refusalPage(reason: FederatedRefusal, connection: SsoConnection | undefined, upstreamError?: string): { title: string; message: string; status: number; retry: boolean } {
  const provider = connection?.display_name ?? t('sso.your_organisation');
  switch (reason) {
    case 'disabled':
      return { status: 403, retry: false, title: t('sso.disabled_title'), message: t('sso.disabled', { provider }) };
    case 'no_seat_left':
      return { status: 403, retry: false, title: t('sso.no_seat_title'), message: t('sso.no_seat', { provider }) };
    case 'unknown_user':
      return { status: 403, retry: false, title: t('sso.unknown_user_title'), message: t('sso.unknown_user', { provider }) };
    case 'domain_not_allowed': {
      const domains = connection?.allowed_domains.length ? ` (${connection.allowed_domains.join(', ')})` : '';
      return { status: 403, retry: true, title: t('sso.domain_title'), message: t('sso.domain', { domains }) };
    }
    case 'upstream_refused':
      return {
        status: 401,
        retry: true,
        title: t('sso.refused_title', { provider }),
        message: upstreamError === 'access_denied' ? t('sso.cancelled', { provider }) : t('sso.answered', { provider, error: upstreamError ?? 'error' }),
      };
    case 'username_taken':
      return { status: 409, retry: false, title: t('sso.taken_title'), message: t('sso.taken', { provider }) };
    case 'upstream_failed':
      return { status: 502, retry: true, title: t('sso.failed_title', { provider }), message: t('sso.failed', { provider }) };
  }
}
