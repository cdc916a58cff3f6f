import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** axe-core itself: a page loads it once; a test may serve it as a script its pages load and cache. */
export const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The axe-core rules whose verdict can change with the words of a page (accessible names, titles,
 * labels, language attributes, text that looks like a heading). Structure, roles, contrast and the
 * rest are the same in every language: a page already checked in full in one language needs only
 * these in the others.
 */
export const WORDING_RULES = [
  'area-alt', 'aria-command-name', 'aria-input-field-name', 'aria-meter-name', 'aria-progressbar-name', 'aria-toggle-field-name', 'aria-tooltip-name',
  'button-name', 'document-title', 'frame-title', 'html-has-lang', 'html-lang-valid', 'html-xml-lang-mismatch', 'image-alt', 'input-button-name',
  'input-image-alt', 'label', 'label-content-name-mismatch', 'link-name', 'p-as-heading', 'role-img-alt', 'select-name', 'summary-name', 'svg-img-alt', 'valid-lang',
];

/**
 * The axe-core (WCAG 2.1 A/AA) violations of the page as it stands, as "rule: target" lines;
 * with `rules`, only those rules' violations.
 */
export async function accessibilityViolations(page: Page, rules?: readonly string[]): Promise<string[]> {
  // Evaluated through DevTools, not as a <script>: the pages' CSP allows no inline script.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (rules) => {
    const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const runOnly = rules ? { type: 'rule', values: rules } : { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] };
    const result = await axe.run({ runOnly });
    return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, rules);
  return violations;
}
