import type { PageName } from '../../src/entrypoints/pages/rendering/page-renderer.js';
import { friendlyDescription } from '../../src/entrypoints/pages/error-page.js';
import { pageClock, pageHowLongAgo, pageMinutesUntil, t } from '../../src/entrypoints/pages/rendering/page-text.js';
import { passwordProblemTexts } from '../../src/entrypoints/pages/rendering/password-problems.js';

/**
 * Every state a hosted page can be in, with representative data: each view, and each of its
 * messages (wrong password, locked, code expired, too many codes, a text not sent...). `data`
 * runs in the language being rendered, as a route's would: its texts come from the catalogs.
 */
export interface PageState {
  name: string;
  view: PageName;
  data: () => Record<string, unknown>;
}

// Fixed instants, so screenshots are comparable run to run.
const NOW = new Date('2026-03-10T14:05:00Z');
const ZONE = 'Europe/Berlin';
const LOCKED_UNTIL = new Date(NOW.getTime() + 14 * 60_000);
const QR = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29" role="img" aria-label="QR"><rect width="29" height="29" fill="#fff"/><path d="M2 2h7v7H2zM20 2h7v7h-7zM2 20h7v7H2z" fill="#000"/></svg>';
const BRAND = { name: 'Lingua Clinic', supportContact: 'help@lingua.test', supportUrl: 'https://lingua.test/help' };

const login = (extra: Record<string, unknown> = {}) => ({ action: '/interaction/x/login', passkeyAction: '/interaction/x/passkey', passkeyOptionsUrl: '/interaction/x/passkey-options', forgotPasswordUrl: '/interaction/x/forgot-password', abortUrl: '/interaction/x/abort', clientName: 'Demo web app', focus: 'username', ...extra });
const codeEntry = (extra: Record<string, unknown> = {}) => ({
  title: t('second_factor.sms_title'),
  intro: t('second_factor.sms_intro', { last: '0170' }),
  label: t('second_factor.sms_label'),
  action: '/interaction/x/second-factor',
  switchAction: '/interaction/x/second-factor/switch',
  abortUrl: '/interaction/x/abort',
  alternatives: [{ method: 'totp', label: t('second_factor.use_totp') }, { method: 'recovery_code', label: t('second_factor.use_recovery_code') }],
  resendWait: 0,
  focus: 'code',
  ...extra,
});
const message = (title: string, text: string, extra: Record<string, unknown> = {}) => ({ title, message: text, alert: true, linkUrl: '/interaction/x', linkText: t('common.try_again'), ...extra });
const providerError = (error: string, description?: string) => ({ title: t('common.cannot_continue'), alert: true, ...friendlyDescription({ error, error_description: description }), clientName: 'Demo web app', linkUrl: 'https://app.test/', linkText: t('error.return_to_app', { app: 'Demo web app' }), errorId: '3f2a9c1e' });
const frame = (section: string) => ({ username: 'ada', tenantName: 'Lingua Clinic', csrf: 'csrf-token', section });
const methods = () => [
  { id: 'sms', kind: 'sms', name: t('account.kind_sms'), detail: '•••• 0170', lastUsed: null, renamable: false },
  { id: 'f1', kind: 'totp', name: 'Work phone app', detail: null, lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 86_400_000), NOW, ZONE), renamable: true },
  { id: 'f2', kind: 'passkey', name: t('account.kind_passkey'), detail: null, lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 5 * 60_000), NOW, ZONE), renamable: true },
  { id: 'recovery-codes', kind: 'recovery_codes', name: t('account.kind_recovery_codes'), detail: t('account.codes_left', { count: 8 }), lastUsed: null, renamable: false },
];
const accountMethods = (extra: Record<string, unknown> = {}) => ({ ...frame('methods'), methods: methods(), addable: ['totp', 'passkey', 'recovery_code'], freshWith: null, ...extra });
const confirmOptions = () => [{ id: 'totp', label: t('account.confirming_totp') }, { id: 'sms', label: t('account.confirming_sms') }, { id: 'recovery_code', label: t('account.confirming_recovery_code') }];
const passwordForm = (extra: Record<string, unknown> = {}) => ({ ...frame('password'), minLength: 12, focus: 'current_password', ...extra });
const activityLine = (minutesAgo: number, outcome: string, app: string | null, reason: string | null) => ({ at: new Date(NOW.getTime() - minutesAgo * 60_000), when: pageClock(new Date(NOW.getTime() - minutesAgo * 60_000), NOW, ZONE), outcome, app, ip: '203.0.113.7', reason });
const CODES = ['k7mq2-x9pwd', 'h3tz8-bnr4e', 'u6vaj-5cw2s', 'p9xke-m3hqt', 'r2ndw-7fyzb', 'e5gus-q8jvk', 'w4tbc-2mxpa', 'z8hrf-n6edq', 'c3kyv-9uwta', 's7jpm-4bzxe'];
const PASSKEY_OPTIONS = JSON.stringify({ challenge: 'Y2hhbGxlbmdl', rp: { name: 'Gatehouse', id: '127.0.0.1' }, user: { id: 'dXNlcg', name: 'ada', displayName: 'Ada' }, pubKeyCredParams: [{ alg: -7, type: 'public-key' }], timeout: 60000 });

export const PAGE_STATES: PageState[] = [
  // Signing in
  { name: 'login', view: 'login', data: () => login() },
  { name: 'login-branded', view: 'login', data: () => login({ brand: BRAND, ssoAction: '/interaction/x/sso' }) },
  { name: 'login-wrong-password', view: 'login', data: () => login({ username: 'ada', error: t('login.invalid_credentials'), errorField: 'password' }) },
  { name: 'login-locked', view: 'login', data: () => login({ username: 'ada', error: `${t('login.lock_notice', { until: pageClock(LOCKED_UNTIL, NOW, ZONE), wait: pageMinutesUntil(LOCKED_UNTIL, NOW) })} ${t('login.locked_then')}` }) },
  { name: 'login-disabled', view: 'login', data: () => login({ username: 'ada', error: t('login.disabled') }) },
  { name: 'login-previous-password', view: 'login', data: () => login({ username: 'ada', error: t('login.previous_password', { day: '2 Mar 2026' }), errorField: 'password' }) },
  { name: 'forgot-password', view: 'forgot-password', data: () => ({ action: '/forgot-password', backUrl: '/interaction/x', focus: 'username' }) },
  { name: 'forgot-password-limit', view: 'forgot-password', data: () => ({ action: '/forgot-password', backUrl: '/interaction/x', username: 'ada', error: t('forgot.hourly_limit', { limit: 3, time: pageClock(LOCKED_UNTIL, NOW, ZONE) }), errorField: 'username' }) },
  { name: 'forgot-password-code', view: 'recovery-code', data: () => ({ action: '/forgot-password/f', resendAction: '/forgot-password/f', username: 'ada', minLength: 12, resendWait: 25, backUrl: '/interaction/x', focus: 'code' }) },
  { name: 'forgot-password-weak', view: 'recovery-code', data: () => ({ action: '/forgot-password/f', resendAction: '/forgot-password/f', username: 'ada', minLength: 12, resendWait: 0, code: '123456', error: t('common.stronger_password'), errorField: 'new_password', problems: passwordProblemTexts([{ rule: 'too_short', limit: 12 }, { rule: 'common' }]) }) },
  { name: 'forgot-password-code-expired', view: 'recovery-code', data: () => ({ action: '/forgot-password/f', resendAction: '/forgot-password/f', username: 'ada', minLength: 12, resendWait: 0, error: t('forgot.code_expired'), errorField: 'code' }) },
  { name: 'password-change', view: 'password-change', data: () => ({ action: '/interaction/x/password', username: 'ada', askCurrent: true, minLength: 12, focus: 'password' }) },
  { name: 'password-change-mismatch', view: 'password-change', data: () => ({ action: '/interaction/x/password', username: 'ada', askCurrent: true, minLength: 12, error: t('common.passwords_differ'), errorField: 'confirm_password' }) },
  { name: 'password-change-weak', view: 'password-change', data: () => ({ action: '/interaction/x/password', username: 'ada', minLength: 12, error: t('common.stronger_password'), errorField: 'new_password', problems: passwordProblemTexts([{ rule: 'too_short', limit: 12 }, { rule: 'contains_username' }, { rule: 'repeated' }]) }) },
  // The second step
  { name: 'second-factor-sms', view: 'code-entry', data: () => codeEntry({ resendWait: 20 }) },
  { name: 'second-factor-sms-delayed', view: 'code-entry', data: () => codeEntry({ intro: t('second_factor.sms_intro_delayed', { last: '0170' }), notice: t('second_factor.delayed') }) },
  { name: 'second-factor-wrong-code', view: 'code-entry', data: () => codeEntry({ code: '123455', error: t('common.wrong_code', { count: 3 }), errorField: 'code' }) },
  { name: 'second-factor-code-expired', view: 'code-entry', data: () => codeEntry({ error: t('second_factor.code_expired'), errorField: 'code' }) },
  { name: 'second-factor-totp', view: 'code-entry', data: () => codeEntry({ title: t('second_factor.totp_title'), intro: t('second_factor.totp_intro'), label: t('second_factor.totp_label'), canResend: false, alternatives: [] }) },
  { name: 'second-factor-recovery-code', view: 'code-entry', data: () => codeEntry({ title: t('second_factor.recovery_title'), intro: t('second_factor.recovery_intro'), label: t('second_factor.recovery_label'), inputmode: 'text', canResend: false, offerShared: true }) },
  { name: 'second-factor-email-gate', view: 'code-entry', data: () => codeEntry({ title: t('second_factor.email_gate_title'), intro: t('second_factor.email_gate_intro', { email: 'a•••@lingua.test' }), label: t('second_factor.email_gate_label'), alternatives: [] }) },
  { name: 'second-factor-bypass', view: 'code-entry', data: () => codeEntry({ bypassAction: '/interaction/x/bypass' }) },
  { name: 'second-factor-exhausted', view: 'code-entry', data: () => codeEntry({ title: t('second_factor.exhausted_title'), intro: t('second_factor.exhausted_next'), error: t('second_factor.exhausted'), showCodeForm: false, canResend: false, nextUrl: '/interaction/x', nextText: t('second_factor.send_new_code_page') }) },
  { name: 'second-factor-locked', view: 'message', data: () => message(t('second_factor.locked_title'), t('second_factor.locked', { until: pageClock(LOCKED_UNTIL, NOW, ZONE), wait: pageMinutesUntil(LOCKED_UNTIL, NOW) })) },
  { name: 'sms-not-sent', view: 'message', data: () => message(t('second_factor.cannot_send_title'), t('second_factor.delivery_failed')) },
  { name: 'sms-budget-exhausted', view: 'message', data: () => message(t('second_factor.cannot_send_title'), t('second_factor.budget_exhausted')) },
  { name: 'sms-too-many-codes', view: 'message', data: () => message(t('second_factor.cannot_send_title'), t('second_factor.too_many_codes', { minutes: 15 })) },
  { name: 'no-contact', view: 'message', data: () => message(t('second_factor.no_contact_title'), t('second_factor.no_contact')) },
  { name: 'passkey', view: 'passkey', data: () => ({ title: t('second_factor.passkey_title'), intro: t('second_factor.passkey_intro'), button: t('second_factor.passkey_button'), ceremony: 'authenticate', optionsJson: PASSKEY_OPTIONS, action: '/interaction/x/second-factor', switchAction: '/interaction/x/second-factor/switch', abortUrl: '/interaction/x/abort', alternatives: [{ method: 'sms', label: t('second_factor.use_sms') }] }) },
  { name: 'passkey-setup', view: 'passkey', data: () => ({ title: t('second_factor.passkey_setup_title'), intro: t('second_factor.passkey_setup_intro'), button: t('second_factor.passkey_setup_button'), ceremony: 'register', optionsJson: PASSKEY_OPTIONS, action: '/interaction/x/second-factor', switchAction: '/interaction/x/setup', abortUrl: '/interaction/x/abort', alternativesLabel: t('second_factor.set_up_another_way'), alternatives: [{ method: 'totp', label: t('second_factor.set_up_totp') }] }) },
  { name: 'phone-enroll', view: 'phone-enroll', data: () => ({ action: '/interaction/x/phone', setupAction: '/interaction/x/setup', abortUrl: '/interaction/x/abort', setupInstead: [{ method: 'totp', label: t('second_factor.set_up_totp') }], focus: 'phone' }) },
  { name: 'phone-enroll-invalid', view: 'phone-enroll', data: () => ({ action: '/interaction/x/phone', setupAction: '/interaction/x/setup', abortUrl: '/interaction/x/abort', phone: '555 01', error: t('second_factor.invalid_phone'), errorField: 'phone' }) },
  { name: 'totp-setup', view: 'totp-setup', data: () => ({ qrSvg: QR, secret: 'JBSW Y3DP EHPK 3PXP', action: '/interaction/x/second-factor', setupAction: '/interaction/x/setup', phoneAction: '/interaction/x/phone', abortUrl: '/interaction/x/abort', setupInstead: [{ method: 'passkey', label: t('second_factor.set_up_passkey') }], focus: 'code' }) },
  { name: 'totp-setup-wrong-code', view: 'totp-setup', data: () => ({ qrSvg: QR, secret: 'JBSW Y3DP EHPK 3PXP', action: '/interaction/x/second-factor', abortUrl: '/interaction/x/abort', code: '123456', error: t('common.wrong_code', { count: 4 }), errorField: 'code' }) },
  { name: 'recovery-codes', view: 'recovery-codes', data: () => ({ codes: CODES, continueUrl: '/interaction/x' }) },
  { name: 'mfa-warning', view: 'mfa-warning', data: () => ({ addPhoneAction: '/interaction/x/add-phone', continueAction: '/interaction/x/continue' }) },
  // Devices, sign-out, start page, demo
  { name: 'device-input', view: 'device-input', data: () => ({ action: '/device', xsrf: 'x' }) },
  { name: 'device-input-invalid', view: 'device-input', data: () => ({ action: '/device', xsrf: 'x', userCode: 'BCDF-GHJK', error: t('device.invalid_code') }) },
  { name: 'device-confirm', view: 'device-confirm', data: () => ({ action: '/device', xsrf: 'x', clientName: 'Demo downloader', userCode: 'BCDF-GHJK', account: 'ada' }) },
  { name: 'logout', view: 'logout', data: () => ({ action: '/session/end/confirm', xsrf: 'x', apps: ['Demo web app', 'Demo mobile app'] }) },
  { name: 'logout-of-app', view: 'logout', data: () => ({ action: '/session/end/confirm', xsrf: 'x', clientName: 'Demo web app', apps: [] }) },
  { name: 'home', view: 'home', data: () => ({ demo: true }) },
  { name: 'demo-result', view: 'demo-result', data: () => ({ claims: '{ "sub": "3f2a", "preferred_username": "alice" }', tokens: '{ "token_type": "Bearer" }', logoutUrl: '/session/end' }) },
  // Error pages: the provider's errors, each in the person's language
  ...['invalid_client', 'invalid_redirect_uri', 'invalid_request', 'access_denied', 'login_required', 'consent_required', 'interaction_required', 'invalid_scope', 'unauthorized_client', 'unsupported_response_type', 'server_error', 'temporarily_unavailable', 'session_not_found', 'invalid_grant', 'made_up_error'].map(
    (error): PageState => ({ name: `error-${error.replace(/_/g, '-')}`, view: 'message', data: () => providerError(error, error === 'invalid_request' ? "missing required parameter 'response_type'" : error === 'invalid_scope' ? 'requested scope is not allowed: admin' : undefined) }),
  ),
  { name: 'error-interaction-expired', view: 'message', data: () => providerError('session_not_found', 'interaction session id cookie not found') },
  // The account page
  { name: 'account-home', view: 'account-home', data: () => ({ ...frame('home'), user: { username: 'ada', email: 'ada@lingua.test', phone: '+14155550170' }, methods: methods(), apps: [{}, {}], notice: t('account.notice_phone_changed') }) },
  { name: 'account-home-empty', view: 'account-home', data: () => ({ ...frame('home'), user: { username: 'ada', email: null, phone: null }, methods: [], apps: [] }) },
  { name: 'account-password', view: 'account-password', data: () => passwordForm() },
  { name: 'account-password-wrong-current', view: 'account-password', data: () => passwordForm({ error: t('account.wrong_current'), errorField: 'current_password' }) },
  { name: 'account-password-weak', view: 'account-password', data: () => passwordForm({ error: t('common.stronger_password'), errorField: 'new_password', problems: passwordProblemTexts([{ rule: 'too_short', limit: 12 }, { rule: 'common' }]) }) },
  { name: 'account-password-locked', view: 'account-password', data: () => passwordForm({ error: t('account.password_locked', { until: pageClock(LOCKED_UNTIL, NOW, ZONE), wait: pageMinutesUntil(LOCKED_UNTIL, NOW) }), errorField: 'current_password' }) },
  { name: 'account-phone', view: 'account-phone', data: () => ({ ...frame('phone'), phone: '+14155550170', focus: 'phone' }) },
  { name: 'account-phone-not-sent', view: 'account-phone', data: () => ({ ...frame('phone'), phone: null, typedPhone: '+44 20 7946 0000', error: t('account.send_country_not_allowed'), errorField: 'phone' }) },
  { name: 'account-phone-code', view: 'account-phone', data: () => ({ ...frame('phone'), phone: '+14155550170', pending: { last4: '0171' }, focus: 'code' }) },
  { name: 'account-phone-wrong-code', view: 'account-phone', data: () => ({ ...frame('phone'), phone: '+14155550170', pending: { last4: '0171' }, code: '123455', error: t('common.wrong_code', { count: 1 }), errorField: 'code' }) },
  { name: 'account-phone-code-expired', view: 'account-phone', data: () => ({ ...frame('phone'), phone: '+14155550170', error: t('account.phone_code_closed'), errorField: 'phone' }) },
  { name: 'account-methods', view: 'account-methods', data: () => accountMethods({ notice: t('account.notice_method_added') }) },
  { name: 'account-methods-fresh', view: 'account-methods', data: () => accountMethods({ freshWith: t('account.confirming_sms'), notice: t('account.notice_confirmed') }) },
  { name: 'account-methods-needs-fresh', view: 'account-methods', data: () => accountMethods({ error: t('account.remove_needs_fresh'), confirmLink: true }) },
  { name: 'account-methods-rename-invalid', view: 'account-methods', data: () => accountMethods({ error: t('account.rename_invalid'), errorField: 'name-1' }) },
  { name: 'account-methods-none', view: 'account-methods', data: () => accountMethods({ methods: [], addable: ['totp'] }) },
  { name: 'account-add-totp', view: 'account-add-totp', data: () => ({ ...frame('methods'), qrSvg: QR, secret: 'JBSW Y3DP EHPK 3PXP', uri: 'otpauth://totp/Lingua%20Clinic:ada?secret=JBSWY3DPEHPK3PXP', focus: 'code' }) },
  { name: 'account-add-totp-wrong-code', view: 'account-add-totp', data: () => ({ ...frame('methods'), qrSvg: QR, secret: 'JBSW Y3DP EHPK 3PXP', uri: 'otpauth://totp/Lingua%20Clinic:ada?secret=JBSWY3DPEHPK3PXP', code: '123456', error: t('common.wrong_code', { count: 4 }), errorField: 'code' }) },
  { name: 'account-add-passkey', view: 'account-add-passkey', data: () => ({ ...frame('methods'), optionsJson: PASSKEY_OPTIONS }) },
  { name: 'account-add-passkey-failed', view: 'account-add-passkey', data: () => ({ ...frame('methods'), optionsJson: PASSKEY_OPTIONS, error: t('account.passkey_failed') }) },
  { name: 'account-recovery-codes', view: 'account-recovery-codes', data: () => ({ ...frame('methods'), codes: CODES }) },
  { name: 'account-confirm', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), focus: 'code' }) },
  { name: 'account-confirm-code', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), pending: { method: 'sms', label: t('account.confirming_sms') }, focus: 'code' }) },
  { name: 'account-confirm-wrong-code', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), pending: { method: 'totp', label: t('account.confirming_totp') }, code: '123455', error: t('common.wrong_code', { count: 2 }), errorField: 'code' }) },
  { name: 'account-confirm-locked', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), error: t('account.confirm_locked') }) },
  { name: 'account-confirm-none', view: 'account-confirm', data: () => ({ ...frame('methods'), options: [] }) },
  { name: 'account-apps', view: 'account-apps', data: () => ({ ...frame('apps'), notice: t('account.notice_app_signed_out'), apps: [{ client_id: 'demo-web', name: 'Demo web app', lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 86_400_000), NOW, ZONE), active_refresh_tokens: 1 }, { client_id: 'demo-mobile', name: 'Demo mobile app', lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 3 * 86_400_000), NOW, ZONE), active_refresh_tokens: 2 }] }) },
  { name: 'account-apps-none', view: 'account-apps', data: () => ({ ...frame('apps'), apps: [] }) },
  { name: 'account-activity', view: 'account-activity', data: () => ({ ...frame('activity'), lines: [activityLine(3, 'succeeded', 'Demo web app', null), activityLine(90, 'failed', 'Demo web app', t('account.reason_wrong_password')), activityLine(2000, 'locked', null, t('account.reason_too_many_wrong_codes'))] }) },
  { name: 'account-activity-none', view: 'account-activity', data: () => ({ ...frame('activity'), lines: [] }) },
  { name: 'account-session-ended', view: 'account-message', data: () => ({ title: t('account.session_ended_title'), message: t('account.session_ended'), linkUrl: '/account', linkText: t('account.sign_in_again') }) },
  { name: 'account-form-expired', view: 'account-message', data: () => ({ title: t('account.form_expired_title'), message: t('account.form_expired'), linkUrl: '/account', linkText: t('account.back_to_account') }) },
  { name: 'account-signed-out', view: 'account-message', data: () => ({ title: t('account.signed_out_title'), message: t('account.signed_out'), linkUrl: '/account', linkText: t('account.sign_in_again') }) },
];
