import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { EmailMessage } from './courier.js';

const views = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
// HTML is escaped; plain text must not be (an "&" in a name stays an "&"). Plain text keeps
// every newline as written: eta's default trims the one after a tag, which ran "Username: bob"
// and "Temporary password: …" into one line.
const html = new Eta({ views, autoEscape: true, cache: true });
const text = new Eta({ views, autoEscape: false, autoTrim: false, cache: true });

/** One text and one HTML template per message, in courier/templates. */
const SUBJECTS = {
  'temporary-password': 'Your temporary password',
  'password-changed': 'Your password was changed',
  'recovery-code': 'Your password reset code',
  'sms-budget-alert': 'Sign-in text messages: 80% of this month\'s budget used',
  'phone-changed': 'The mobile number of your account changed',
  'phone-change-code': 'Your code to change your mobile number',
  'account-locked': 'Sign-in to your account was locked',
  'new-device': 'New sign-in to your account',
  'recovery-code-used': 'A recovery code was used to sign in',
  'second-factor-bypass': 'You may sign in once without the second step',
} as const;

export type EmailTemplate = keyof typeof SUBJECTS;

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

export function renderEmail(template: EmailTemplate, to: string, data: EmailData): EmailMessage {
  return {
    to,
    subject: SUBJECTS[template],
    text: text.render(`${template}.text.eta`, data),
    html: html.render(`${template}.html.eta`, data),
  };
}
