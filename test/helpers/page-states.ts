import type { PageName } from '../../src/entrypoints/pages/rendering/page-renderer.js';
import { friendlyDescription } from '../../src/entrypoints/pages/error-page.js';
import { pageClock, pageHowLongAgo, pageMinutesUntil, t } from '../../src/entrypoints/pages/rendering/page-text.js';
import { passwordProblemTexts } from '../../src/entrypoints/pages/rendering/password-problems.js';
import { CLIENT_KINDS } from '../../src/domain/clients/client.repository.js';
import type { UserRecord } from '../../src/domain/users/user.js';
import { actorOfPerson } from '../../src/entrypoints/admin/admin-actor.js';
import { eventSentence } from '../../src/entrypoints/console/event-sentences.js';
import { CONSOLE_SECTIONS } from '../../src/entrypoints/console/sections.js';
import { fieldId, SETTING_GROUPS } from '../../src/entrypoints/console/sections/settings.section.js';
import { appLines } from '../../src/entrypoints/console/sections/user.section.js';
import { deviceName } from '../../src/infrastructure/formatting/user-agent.js';

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

const HOSTED_PAGE_STATES: PageState[] = [
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
  { name: 'account-confirm-passkey', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), passkey: { optionsJson: PASSKEY_OPTIONS }, focus: 'code' }) },
  { name: 'account-confirm-passkey-only', view: 'account-confirm', data: () => ({ ...frame('methods'), options: [], passkey: { optionsJson: PASSKEY_OPTIONS }, focus: 'code' }) },
  { name: 'account-confirm-passkey-failed', view: 'account-confirm', data: () => ({ ...frame('methods'), options: [], passkey: { optionsJson: PASSKEY_OPTIONS }, error: t('account.confirm_passkey_failed', { count: 4 }) }) },
  { name: 'account-confirm-passkey-with-code', view: 'account-confirm', data: () => ({ ...frame('methods'), options: confirmOptions(), passkey: { optionsJson: PASSKEY_OPTIONS }, pending: { method: 'totp', label: t('account.confirming_totp') }, focus: 'code' }) },
  { name: 'account-apps', view: 'account-apps', data: () => ({ ...frame('apps'), notice: t('account.notice_app_signed_out'), apps: [{ client_id: 'demo-web', name: 'Demo web app', lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 86_400_000), NOW, ZONE), active_refresh_tokens: 1 }, { client_id: 'demo-mobile', name: 'Demo mobile app', lastUsed: pageHowLongAgo(new Date(NOW.getTime() - 3 * 86_400_000), NOW, ZONE), active_refresh_tokens: 2 }] }) },
  { name: 'account-apps-none', view: 'account-apps', data: () => ({ ...frame('apps'), apps: [] }) },
  { name: 'account-activity', view: 'account-activity', data: () => ({ ...frame('activity'), lines: [activityLine(3, 'succeeded', 'Demo web app', null), activityLine(90, 'failed', 'Demo web app', t('account.reason_wrong_password')), activityLine(2000, 'locked', null, t('account.reason_too_many_wrong_codes'))] }) },
  { name: 'account-activity-none', view: 'account-activity', data: () => ({ ...frame('activity'), lines: [] }) },
  { name: 'account-session-ended', view: 'account-message', data: () => ({ title: t('account.session_ended_title'), message: t('account.session_ended'), linkUrl: '/account', linkText: t('account.sign_in_again') }) },
  { name: 'account-form-expired', view: 'account-message', data: () => ({ title: t('account.form_expired_title'), message: t('account.form_expired'), linkUrl: '/account', linkText: t('account.back_to_account') }) },
  { name: 'account-signed-out', view: 'account-message', data: () => ({ title: t('account.signed_out_title'), message: t('account.signed_out'), linkUrl: '/account', linkText: t('account.sign_in_again') }) },
];

// The admin console (/console): each view with its data built as the console's routes build it
// (renderConsole's frame, the sections' data), for an administrator, support staff and an
// operator with the organisation switcher. The admin API's own messages stay in English there
// (the views mark them lang="en"), as the API says them.
type ConsolePerson = 'admin' | 'staff' | 'operator';
const CONSOLE_TENANT = { id: 't-lingua', slug: 'lingua', name: 'Lingua Clinic' };
const CONSOLE_TENANTS = [CONSOLE_TENANT, { id: 't-acme', slug: 'acme', name: 'Acme Clinic' }, { id: 't-demo', slug: 'demo', name: 'Demo Organisation' }];
const consoleUser = (extra: Record<string, unknown> = {}) => ({ id: 'u-bea', tenant_id: CONSOLE_TENANT.id, username: 'bea-tech', name: 'Bea Tech', email: 'bea@lingua.test', phone: '+14155550170', role: 'member', is_operator: false, disabled: false, password_temporary: false, ...extra }) as unknown as UserRecord;
/** renderConsole's data: the frame (who, which organisation, the sections this person sees), the form token, a done notice. */
const consoleFrame = (person: ConsolePerson, section: string, returnTo: string, done?: string) => {
  const user = consoleUser({ id: `u-${person}`, username: person === 'operator' ? 'olga-operator' : person === 'staff' ? 'sam-staff' : 'admin', role: person === 'staff' ? 'staff' : 'admin', is_operator: person === 'operator' });
  const actor = actorOfPerson(user, 'gatehouse-console');
  return {
    frame: {
      username: user.username,
      role: actor.kind === 'operator' ? 'operator' : user.role,
      tenant: CONSOLE_TENANT,
      csrf: 'csrf-token',
      section,
      sections: CONSOLE_SECTIONS.filter((s) => s.label && s.shownTo(actor)).map((s) => ({ id: s.id, path: s.path, label: s.label })),
      tenants: actor.kind === 'operator' ? CONSOLE_TENANTS : undefined,
      returnTo,
    },
    csrf: 'csrf-token',
    notice: done ? `console.done.${done}` : undefined,
  };
};
const at = (minutesAgo: number) => new Date(NOW.getTime() - minutesAgo * 60_000);
const userLineOf = (user: UserRecord, status: string, lastLoginMinutesAgo: number | null, lockedUntil?: Date) => ({ user, status, lockedUntil: lockedUntil ? pageClock(lockedUntil, NOW, ZONE) : undefined, lastLogin: lastLoginMinutesAgo === null ? undefined : pageClock(at(lastLoginMinutesAgo), NOW, ZONE) });
const consoleUsers = (person: ConsolePerson, done?: string) => ({
  ...consoleFrame(person, 'users', '/console/users', done),
  q: '',
  lines: [
    userLineOf(consoleUser({ id: 'u-admin', username: 'admin', name: 'Ada Admin', email: 'admin@lingua.test', role: 'admin', is_operator: person === 'operator' }), 'active', 3),
    userLineOf(consoleUser({ id: 'u-alice', username: 'alice', name: 'Alice Member', email: 'alice.member-with-a-long-address@lingua-clinic.example' }), 'locked', 20, LOCKED_UNTIL),
    userLineOf(consoleUser(), 'password_change_required', null),
    userLineOf(consoleUser({ id: 'u-carl', username: 'carl', name: null, email: null, disabled: true }), 'disabled', 60 * 24 * 40),
    userLineOf(consoleUser({ id: 'u-dora', username: 'dora', name: 'Dora Nightshift', email: 'dora@lingua.test', password_temporary: true }), 'temporary_password_expired', null),
  ],
  nextUrl: '/console/users?cursor=eyJhdCI6IjIwMjYifQ',
});
const consoleUserPage = (person: ConsolePerson, extra: Record<string, unknown> = {}) => {
  const user = consoleUser();
  return {
    ...consoleFrame(person, 'users', `/console/users/${user.id}`),
    line: userLineOf(user, 'locked', 90, LOCKED_UNTIL),
    user,
    apps: [
      { clientId: 'demo-web', name: 'Demo web app', devices: [{ device: deviceName('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0 Safari/537.36'), lastUsed: pageHowLongAgo(at(40), NOW, ZONE) }, { device: deviceName('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15'), lastUsed: pageHowLongAgo(at(60 * 26), NOW, ZONE) }] },
      { clientId: 'demo-mobile', name: 'Demo mobile app', devices: [{ device: deviceName('DemoMobile/2.4 (iPhone; iOS 17.3)'), lastUsed: pageHowLongAgo(at(60 * 24 * 3), NOW, ZONE) }, { device: null, lastUsed: pageHowLongAgo(at(60 * 24 * 9), NOW, ZONE) }] },
    ],
    fresh: false,
    reauthUrl: `/console/reauthenticate?return=${encodeURIComponent(`/console/users/${user.id}`)}`,
    maySetOperator: person === 'operator',
    staff: person === 'staff',
    ...extra,
  };
};
const SIGNED_IN_GRANTS = [{ client_id: 'demo-web', client_name: 'Demo web app', count: 2 }, { client_id: 'demo-mobile', client_name: 'Demo mobile app', count: 1 }, { client_id: 'reporting-integration', client_name: null, count: 1 }];
const setPassword = (extra: Record<string, unknown> = {}) => ({ ...consoleFrame('admin', 'users', '/console/users/u-bea/password'), user: consoleUser(), apps: appLines(SIGNED_IN_GRANTS), minLength: 12, fresh: false, reauthUrl: '/console/reauthenticate?return=%2Fconsole%2Fusers%2Fu-bea%2Fpassword', ...extra });
const timelineEvent = (minutesAgo: number, type: string, reason: string | null, ip: string | null, app: string | null) => ({ at: pageClock(at(minutesAgo), NOW, ZONE), sentence: eventSentence({ type, reason, ip }, app) });
const settingsGroups = (values: Record<string, string> = {}, errors: Record<string, string> = {}) => {
  const current: Record<string, string> = { 'settings.mfa.mode': 'optional', 'settings.mfa.reverify_days': '30', 'settings.sms.monthly_budget': '500', 'settings.lockout.max_failures': '5', 'settings.lockout.base_lock_seconds': '60', 'settings.lockout.max_lock_seconds': '3600', 'settings.password.min_length': '12', 'settings.password.temporary_ttl_days': '7', 'settings.branding.display_name': 'Lingua Clinic', 'settings.branding.primary_color': '#1f5fd1', 'settings.branding.support_contact': 'help@lingua.test', 'settings.branding.support_url': 'https://lingua.test/help', ...values };
  return SETTING_GROUPS.map((group) => ({ id: group.id, fields: group.fields.map((f) => ({ ...f, id: fieldId(f.name), key: f.name.split('.').slice(1).join('_'), value: current[f.name] ?? '', error: errors[f.name] })) }));
};
const settings = (extra: Record<string, unknown> = {}) => ({ ...consoleFrame('operator', 'settings', '/console/settings'), tenant: CONSOLE_TENANT, groups: settingsGroups(), usage: { month: '2026-03', sent: 412, budget: 500, remaining: 88 }, ceiling: 2000, ...extra });
const WEB_CLIENT = { id: 'lingua-web-3f2a9c1e', name: 'Lingua patient portal', kind: 'web' };
const consoleClient = (extra: Record<string, unknown> = {}) => ({
  ...consoleFrame('admin', 'clients', `/console/clients/${WEB_CLIENT.id}`),
  client: { ...WEB_CLIENT, redirectUris: ['https://portal.lingua-clinic.example/auth/openid-connect/callback/after-sign-in', 'https://staging.portal.lingua-clinic.example/auth/callback'], scopes: ['openid', 'profile', 'email', 'offline_access'], lastUsed: pageHowLongAgo(at(12), NOW, ZONE) },
  secrets: [{ kind: 'current', createdAt: pageClock(at(60 * 24 * 2), NOW, ZONE), lastUsed: pageHowLongAgo(at(12), NOW, ZONE) }, { kind: 'previous', expiresAt: pageClock(new Date(NOW.getTime() + 5 * 86_400_000), NOW, ZONE), lastUsed: pageHowLongAgo(at(60 * 30), NOW, ZONE) }],
  fresh: false,
  reauthUrl: `/console/reauthenticate?return=${encodeURIComponent(`/console/clients/${WEB_CLIENT.id}`)}`,
  ...extra,
});
const clientNew = (extra: Record<string, unknown> = {}) => ({ ...consoleFrame('admin', 'clients', '/console/clients/new'), kinds: CLIENT_KINDS, values: { kind: 'web', name: '', redirect_uris: '', scopes: '' }, focus: 'name', ...extra });
const consoleConfirm = (extra: Record<string, unknown> = {}) => ({ ...consoleFrame('admin', '', '/console/confirm'), returnTo: '/console/users/u-bea', options: (['totp', 'sms', 'recovery_code'] as const).map((id) => ({ id, label: t(`console.confirm.methods.${id}`) })), focus: 'code', ...extra });
const consoleMessage = (title: string, text: string, extra: Record<string, unknown> = {}) => ({ alert: true, title, message: text, linkUrl: '/console', linkText: t('console.back_to_console'), ...extra });

const CONSOLE_STATES: PageState[] = [
  // Users
  { name: 'console-users', view: 'console-users', data: () => consoleUsers('admin', 'user-deleted') },
  { name: 'console-users-staff', view: 'console-users', data: () => consoleUsers('staff') },
  { name: 'console-users-operator', view: 'console-users', data: () => ({ ...consoleUsers('operator', 'tenant-switched'), firstUrl: '/console/users' }) },
  { name: 'console-users-none-found', view: 'console-users', data: () => ({ ...consoleFrame('admin', 'users', '/console/users'), q: 'zebra', lines: [] }) },
  { name: 'console-users-none', view: 'console-users', data: () => ({ ...consoleFrame('operator', 'users', '/console/users'), q: '', lines: [] }) },
  { name: 'console-user-new', view: 'console-user-new', data: () => ({ ...consoleFrame('admin', 'users', '/console/users/new'), values: {}, staff: false, focus: 'username' }) },
  { name: 'console-user-new-staff', view: 'console-user-new', data: () => ({ ...consoleFrame('staff', 'users', '/console/users/new'), values: {}, staff: true, focus: 'username' }) },
  { name: 'console-user-new-invalid', view: 'console-user-new', data: () => ({ ...consoleFrame('admin', 'users', '/console/users'), values: { username: 'bea-tech', email: 'bea(at)lingua', name: 'Bea Tech', phone: '', role: 'staff' }, staff: false, error: 'email: Invalid email address', errorField: 'email' }) },
  { name: 'console-user-new-taken', view: 'console-user-new', data: () => ({ ...consoleFrame('admin', 'users', '/console/users'), values: { username: 'alice', email: 'alice@lingua.test', name: '', phone: '', role: 'member' }, staff: false, error: 'The username "alice" is already taken.', errorField: 'username' }) },
  // One user
  { name: 'console-user', view: 'console-user', data: () => consoleUserPage('admin', { notice: 'console.done.user-saved' }) },
  { name: 'console-user-staff', view: 'console-user', data: () => consoleUserPage('staff', { fresh: true, sentNotice: t('console.user.reset_sent', { to: 'b•••@lingua.test', status: t('console.message_status.queued') }) }) },
  { name: 'console-user-operator', view: 'console-user', data: () => consoleUserPage('operator', { user: consoleUser({ disabled: true, is_operator: true, phone: null }), line: userLineOf(consoleUser({ disabled: true }), 'disabled', null), apps: [], fresh: true, sentNotice: t('console.user.nothing_locked') }) },
  { name: 'console-user-offer-temporary', view: 'console-user', data: () => consoleUserPage('admin', { offerTemporary: true, error: t('console.user.reset_needs_temporary') }) },
  { name: 'console-user-invalid', view: 'console-user', data: () => consoleUserPage('admin', { error: 'phone: Enter the number in international form, such as +14155550170', errorField: 'phone', errorLang: 'en' }) },
  { name: 'console-set-password', view: 'console-set-password', data: () => setPassword() },
  { name: 'console-set-password-nothing-signed-in', view: 'console-set-password', data: () => setPassword({ apps: [], fresh: true, notice: 'console.done.reauthenticated' }) },
  { name: 'console-set-password-refused', view: 'console-set-password', data: () => setPassword({ fresh: true, error: 'The password does not meet the policy: It must be at least 12 characters long. It is one of the most common passwords.', errorField: 'password' }) },
  { name: 'console-cut-off', view: 'console-cut-off', data: () => ({ ...consoleFrame('admin', 'users', '/console/users/u-bea/password'), title: t('console.user.password_set_title', { username: 'bea-tech' }), user: consoleUser(), report: { apps: appLines(SIGNED_IN_GRANTS), sessionsEnded: 2, notices: [{ name: 'Demo web app', status: 'delivered' }, { name: 'Lingua patient portal', status: 'retrying', reason: 'HTTP 503 from https://portal.lingua-clinic.example/backchannel-logout' }, { name: 'Reporting', status: 'failed', reason: 'connection refused' }] } }) },
  { name: 'console-cut-off-signed-out', view: 'console-cut-off', data: () => ({ ...consoleFrame('staff', 'users', '/console/users/u-bea/sign-out'), title: t('console.user.signed_out_title', { username: 'bea-tech' }), user: consoleUser(), report: { apps: appLines(SIGNED_IN_GRANTS.slice(1)), sessionsEnded: 1, notices: [] } }) },
  { name: 'console-cut-off-nothing', view: 'console-cut-off', data: () => ({ ...consoleFrame('admin', 'users', '/console/users/u-bea/disable'), title: t('console.user.disabled_title', { username: 'bea-tech' }), user: consoleUser({ disabled: true }) }) },
  // Why can't this user sign in?
  {
    name: 'console-diagnosis',
    view: 'console-diagnosis',
    data: () => ({
      ...consoleFrame('staff', 'users', '/console/users/u-bea/diagnosis'),
      user: consoleUser(),
      canSignIn: false,
      blockers: [
        { message: `locked until ${pageClock(LOCKED_UNTIL, NOW, ZONE)} on every browser the user has not signed in from before, after 5 failed passwords from Demo mobile app at 2 addresses`, fix: 'unlock' },
        { message: 'the password-reset email to b•••@lingua.test failed at 13:40: the mail server refused the address (550 5.1.1 mailbox unavailable)', fix: 'reset' },
        { message: "the user's only second factor is a code by SMS, and the organisation's SMS budget for this month is used up; remove the block by raising the budget, or issue a one-time bypass so the user can set up an authenticator app", fix: 'forget_devices' },
      ],
      clients: [
        { name: 'Demo mobile app', lastSuccess: pageClock(at(60 * 26), NOW, ZONE), lastFailure: { at: pageClock(at(25), NOW, ZONE), reason: eventSentence({ type: 'login.failed', reason: 'wrong_password', ip: null }, null) }, devices: 1 },
        { name: 'Demo web app', lastSuccess: null, lastFailure: null, devices: 0 },
      ],
      timeline: [
        { name: 'Demo mobile app', lines: [timelineEvent(25, 'account.locked', null, '203.0.113.7', 'Demo mobile app'), timelineEvent(26, 'login.failed', 'wrong_password', '203.0.113.7', 'Demo mobile app'), timelineEvent(28, 'login.failed', 'wrong_password', '198.51.100.23', 'Demo mobile app'), timelineEvent(60 * 26, 'login.succeeded', null, '203.0.113.7', 'Demo mobile app')] },
        { name: '', lines: [timelineEvent(20, 'password.reset_requested', null, '203.0.113.7', null), timelineEvent(60 * 30, 'mfa.budget_exhausted', null, null, null), timelineEvent(60 * 31, 'webhook.delivered', null, null, null)] },
      ],
      fixes: ['unlock', 'reset', 'forget_devices', 'temporary_password'],
      fresh: false,
      reauthUrl: '/console/reauthenticate?return=%2Fconsole%2Fusers%2Fu-bea%2Fdiagnosis',
    }),
  },
  { name: 'console-diagnosis-can-sign-in', view: 'console-diagnosis', data: () => ({ ...consoleFrame('admin', 'users', '/console/users/u-bea/diagnosis', 'devices-forgotten'), user: consoleUser(), canSignIn: true, blockers: [], clients: [], timeline: [], fixes: ['reset'], fresh: true, reauthUrl: '/console/reauthenticate?return=%2Fconsole%2Fusers%2Fu-bea%2Fdiagnosis' }) },
  // Settings
  { name: 'console-settings', view: 'console-settings', data: () => settings({ notice: 'console.done.settings-saved', logoPath: `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#1f5fd1"/></svg>')}` }) },
  { name: 'console-settings-invalid', view: 'console-settings', data: () => settings({ ...consoleFrame('admin', 'settings', '/console/settings'), groups: settingsGroups({ 'settings.branding.primary_color': '#f7d54a', 'settings.lockout.max_failures': 'five' }, { 'settings.branding.primary_color': 'contrast with white is 1.4:1; at least 4.5:1 is needed to read white button text and links (WCAG AA): choose a darker colour', 'settings.lockout.max_failures': 'Expected number, received string' }), error: 'The request is not valid.', errorField: 'branding-primary_color' }) },
  { name: 'console-settings-logo-refused', view: 'console-settings', data: () => settings({ ...consoleFrame('admin', 'settings', '/console/settings'), logoError: 'at most 100 KB', error: 'The logo is too large.', errorField: 'logo' }) },
  // Clients
  { name: 'console-clients', view: 'console-clients', data: () => ({ ...consoleFrame('admin', 'clients', '/console/clients'), clients: [{ ...WEB_CLIENT, lastUsed: pageHowLongAgo(at(12), NOW, ZONE) }, { id: 'demo-mobile', name: 'Demo mobile app', kind: 'mobile', lastUsed: pageHowLongAgo(at(60 * 24 * 3), NOW, ZONE) }, { id: 'demo-downloader', name: 'Demo downloader', kind: 'downloader', lastUsed: null }, { id: 'reporting-integration-for-the-nightly-export', name: 'Reporting', kind: 'integration', lastUsed: pageHowLongAgo(at(60 * 8), NOW, ZONE) }], nextUrl: '/console/clients?cursor=eyJhdCI6IjIwMjYifQ' }) },
  { name: 'console-clients-none', view: 'console-clients', data: () => ({ ...consoleFrame('operator', 'clients', '/console/clients'), clients: [] }) },
  { name: 'console-client-new', view: 'console-client-new', data: () => clientNew() },
  { name: 'console-client-new-invalid', view: 'console-client-new', data: () => clientNew({ values: { kind: 'web', name: '', redirect_uris: 'http://portal.lingua.test/callback', scopes: 'openid admin' }, errors: { name: 'String must contain at least 1 character(s)', redirect_uris: 'web clients need https redirect URIs (http only for localhost)', scopes: 'unknown scope: admin' }, error: 'The request is not valid.', errorField: 'name' }) },
  { name: 'console-client', view: 'console-client', data: () => consoleClient({ notice: 'console.done.confirmed' }) },
  { name: 'console-client-mobile', view: 'console-client', data: () => consoleClient({ client: { id: 'demo-mobile', name: 'Demo mobile app', kind: 'mobile', redirectUris: ['com.example.demo:/callback'], scopes: ['openid', 'offline_access'], lastUsed: null }, secrets: undefined, fresh: true }) },
  { name: 'console-client-secret', view: 'console-client-secret', data: () => ({ ...consoleFrame('admin', 'clients', '/console/clients'), client: { id: WEB_CLIENT.id, name: WEB_CLIENT.name }, secret: 'gh_cs_Qm9vbGVhbiBsb2dpYyBpcyBhIGZpbmUgdGhpbmcgaW5kZWVkLCBzZWNyZXQ', created: true }) },
  { name: 'console-client-secret-rotated', view: 'console-client-secret', data: () => ({ ...consoleFrame('operator', 'clients', `/console/clients/${WEB_CLIENT.id}/secrets`), client: { id: WEB_CLIENT.id, name: WEB_CLIENT.name }, secret: 'gh_cs_UGF0aWVuY2UgaXMgYSB2aXJ0dWUsIGFuZCBzbyBpcyBhIG5ldyBzZWNyZXQ', previousExpiresAt: pageClock(new Date(NOW.getTime() + 7 * 86_400_000), NOW, ZONE) }) },
  // The second factor before a destructive action
  { name: 'console-confirm', view: 'console-confirm', data: () => consoleConfirm() },
  { name: 'console-confirm-code', view: 'console-confirm', data: () => consoleConfirm({ pending: { method: 'sms', label: t('console.confirm.methods.sms') } }) },
  { name: 'console-confirm-wrong-code', view: 'console-confirm', data: () => consoleConfirm({ pending: { method: 'totp', label: t('console.confirm.methods.totp') }, error: t('console.confirm.wrong_code', { count: 2 }), errorField: 'code' }) },
  { name: 'console-confirm-locked', view: 'console-confirm', data: () => consoleConfirm({ error: t('console.confirm.locked') }) },
  { name: 'console-confirm-none', view: 'console-confirm', data: () => consoleConfirm({ options: [] }) },
  { name: 'console-confirm-passkey', view: 'console-confirm', data: () => consoleConfirm({ passkey: { optionsJson: PASSKEY_OPTIONS } }) },
  { name: 'console-confirm-passkey-only', view: 'console-confirm', data: () => consoleConfirm({ options: [], passkey: { optionsJson: PASSKEY_OPTIONS } }) },
  { name: 'console-confirm-passkey-failed', view: 'console-confirm', data: () => consoleConfirm({ options: [], passkey: { optionsJson: PASSKEY_OPTIONS }, error: t('console.confirm.passkey_failed', { count: 4 }) }) },
  // Refusals and messages
  { name: 'console-refused', view: 'console-refused', data: () => ({ ...consoleFrame('staff', '', '/console/users/u-admin'), title: t('console.refused.forbidden'), message: 'Staff read and manage member users only.', backTo: '/console/users' }) },
  { name: 'console-refused-conflict', view: 'console-refused', data: () => ({ ...consoleFrame('admin', '', '/console/users/u-bea/temporary-password'), title: t('console.refused.conflict'), message: 'The user has no email address to send a temporary password to. Add one first.', backTo: '/console/users/u-bea' }) },
  { name: 'console-members', view: 'console-message', data: () => consoleMessage(t('console.members.title'), t('console.members.message'), { linkUrl: '/account', linkText: t('console.members.link'), csrf: 'csrf-token', signOut: true }) },
  { name: 'console-session-ended', view: 'console-message', data: () => consoleMessage(t('console.session_ended.title'), t('console.session_ended.message'), { linkText: t('console.sign_in_again') }) },
  { name: 'console-form-expired', view: 'console-message', data: () => consoleMessage(t('console.form_expired.title'), t('console.form_expired.message')) },
  { name: 'console-reauth-stale', view: 'console-message', data: () => consoleMessage(t('console.reauth.title'), t('console.reauth.stale'), { linkUrl: '/console/reauthenticate?return=%2Fconsole%2Fusers%2Fu-bea', linkText: t('console.reauth.button') }) },
  { name: 'console-reauth-second-factor', view: 'console-message', data: () => consoleMessage(t('console.reauth.title'), t('console.reauth.second_factor'), { linkUrl: '/console/confirm?return=%2Fconsole%2Fusers%2Fu-bea', linkText: t('console.reauth.second_factor_button') }) },
  { name: 'console-sign-in-failed', view: 'console-message', data: () => consoleMessage(t('console.sign_in_failed.title'), t('console.sign_in_failed.other_person'), { linkText: t('console.sign_in') }) },
  { name: 'console-switch-refused', view: 'console-message', data: () => consoleMessage(t('console.refused.not_found'), t('console.switch.no_such_tenant')) },
  { name: 'console-signed-out', view: 'console-message', data: () => consoleMessage(t('console.signed_out.title'), t('console.signed_out.message'), { alert: false, linkText: t('console.sign_in_again') }) },
];

export const PAGE_STATES: PageState[] = [...HOSTED_PAGE_STATES, ...CONSOLE_STATES];
