import { t } from '../pages/rendering/page-text.js';

/** An event as the timeline reads it. */
export interface TimelineEvent {
  type: string;
  reason: string | null;
  ip: string | null;
}

/** Event types the catalog has a sentence for (`console.events.<type with _>`); others read as "Something else happened". */
const TYPES = new Set([
  'login.succeeded', 'login.failed', 'account.locked', 'account.unlocked', 'password.changed', 'password.reset_requested', 'password.reset_completed',
  'mfa.code_sent', 'mfa.succeeded', 'mfa.failed', 'mfa.budget_exhausted', 'mfa.method_enrolled', 'mfa.recovery_code_used', 'mfa.bypass_used',
  'token.refresh_denied', 'token.code_denied', 'user.signed_out', 'account.signed_in', 'console.signed_in', 'sso.refused',
  'admin.user_created', 'admin.user_updated', 'admin.password_set', 'admin.user_signed_out', 'admin.user_unlocked', 'admin.devices_forgotten',
  'admin.second_factor_removed', 'admin.second_factor_bypass_issued', 'account.method_removed', 'account.phone_changed', 'account.app_signed_out',
]);

/** Types whose reason changes the sentence, and the reasons the catalog words (`console.events.<type>_<reason>`). */
const BY_REASON: Record<string, ReadonlySet<string>> = {
  'login.failed': new Set(['wrong_password', 'unknown_user', 'locked', 'disabled', 'temporary_password_expired', 'previous_password', 'sso_required']),
  'mfa.failed': new Set(['wrong_code', 'too_many_wrong_codes']),
};

/**
 * "Wrong password in Demo mobile app from 203.0.113.7": an event of the diagnosis timeline as a
 * sentence in the page's language, instead of `login.failed (wrong_password)`. The raw type and
 * reason stay in the event log (and the admin API) for whoever needs the exact code.
 */
export function eventSentence(event: TimelineEvent, app: string | null): string {
  const what = whatHappened(event);
  if (app && event.ip) return t('console.events.sentence_app_ip', { what, app, ip: event.ip });
  if (app) return t('console.events.sentence_app', { what, app });
  if (event.ip) return t('console.events.sentence_ip', { what, ip: event.ip });
  return what;
}

function whatHappened(event: TimelineEvent): string {
  const key = event.type.replace('.', '_');
  const reasons = BY_REASON[event.type];
  if (reasons) return t(`console.events.${key}_${event.reason && reasons.has(event.reason) ? event.reason : 'other'}`);
  return TYPES.has(event.type) ? t(`console.events.${key}`) : t('console.events.other');
}
