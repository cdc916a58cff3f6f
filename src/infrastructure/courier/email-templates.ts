import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { EmailMessage } from './courier.js';
import { DEFAULT_LANGUAGE, type Language } from '../i18n/languages.js';
import { translator } from '../i18n/translator.js';

const views = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
// HTML is escaped; plain text must not be (an "&" in a name stays an "&"). Plain text keeps
// every newline as written: eta's default trims the one after a tag, which ran "Username: bob"
// and "Temporary password: …" into one line.
const html = new Eta({ views, autoEscape: true, cache: true });
const text = new Eta({ views, autoEscape: false, autoTrim: false, cache: true });

/**
 * One text and one HTML template per message, in courier/templates; their words are in the
 * catalogs (infrastructure/i18n/locales) under `email.<template with underscores>`.
 */
const TEMPLATES = ['temporary-password', 'password-changed', 'recovery-code', 'sms-budget-alert', 'phone-changed', 'phone-change-code', 'account-locked', 'new-device', 'recovery-code-used', 'second-factor-bypass'] as const;

export type EmailTemplate = (typeof TEMPLATES)[number];

/**
 * The domain says how a password or number changed in English words (they are also logged);
 * the email says them in the reader's language.
 */
const HOW: Record<string, string> = {
  'by an administrator': 'email.password_changed.by_admin',
  'by you after signing in with a temporary password': 'email.password_changed.by_you_temporary',
  'with a code sent to your email': 'email.password_changed.by_email_code',
  'changed by an administrator': 'email.phone_changed.changed_by_admin',
  'removed by an administrator': 'email.phone_changed.removed_by_admin',
};

/**
 * Every template gets the greeting facts (name, username, organisation) and `app`: the app the
 * email is about and where to sign in to it, named in every email's footer.
 */
export interface EmailData {
  name: string;
  username: string;
  organisation: string;
  app: { name: string; url: string };
  /** The organisation's look, when its tenant set one: logo (absolute URL), colour, support contact. */
  brand?: { logoUrl: string | null; color: string | null; supportContact: string | null; supportUrl: string | null };
  [fact: string]: unknown;
}

/** The email in `language` (the user's `locale`; English when they have none). */
export function renderEmail(template: EmailTemplate, to: string, data: EmailData, language: Language = DEFAULT_LANGUAGE): EmailMessage {
  const t = translator(language);
  const how = typeof data.how === 'string' && HOW[data.how] ? t(HOW[data.how]!) : data.how;
  const organisation = data.organisation || t('email.your_organisation');
  const facts = { ...data, how, organisation, t, lang: language };
  return {
    to,
    subject: t(`email.${template.replace(/-/g, '_')}.subject`),
    text: text.render(`${template}.text.eta`, facts),
    html: html.render(`${template}.html.eta`, facts),
  };
}
