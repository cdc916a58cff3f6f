import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { EmailMessage } from './courier.js';

const views = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');
// HTML is escaped; plain text must not be (an "&" in a name stays an "&").
const html = new Eta({ views, autoEscape: true, cache: true });
const text = new Eta({ views, autoEscape: false, cache: true });

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

export function renderEmail(template: EmailTemplate, to: string, data: Record<string, unknown>): EmailMessage {
  return {
    to,
    subject: SUBJECTS[template],
    text: text.render(`${template}.text.eta`, data),
    html: html.render(`${template}.html.eta`, data),
  };
}
