import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';

const viewsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

// autoEscape: every `<%= %>` is HTML-escaped; only `<%~ it.body %>` in the layout is raw.
const eta = new Eta({ views: viewsDir, autoEscape: true, cache: true });

export type PageName = 'login' | 'message' | 'device-input' | 'device-confirm' | 'logout' | 'home' | 'demo-result' | 'forgot-password' | 'recovery-code' | 'password-change' | 'code-entry' | 'phone-enroll' | 'mfa-warning' | 'totp-setup' | 'recovery-codes' | 'passkey';

/** Renders a hosted page: server-side HTML that works without JavaScript. */
export function renderPage(name: PageName, data: Record<string, unknown>): string {
  return eta.render(name, data);
}

/** A page with a title, one message and an optional way onward: errors, dead ends, notices. */
export function renderMessage(message: { title: string; message: string; alert?: boolean; linkUrl?: string; linkText?: string }): string {
  return renderPage('message', message);
}
