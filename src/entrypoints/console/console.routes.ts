import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bodyParser } from '@koa/bodyparser';
import { Router } from '@koa/router';
import { rejectMalformedBody } from '../../infrastructure/http/input-guard.js';
import { htmlErrorPage } from '../pages/provider-pages.js';
import { t } from '../pages/rendering/page-text.js';
import { CONSOLE_PATH, consoleForm, openConsole, queryField, renderConsoleMessage, seeOther, setNavigation, formField } from './console-request.js';
import type { ConsoleDependencies } from './console-section.js';
import { CONSOLE_SECTIONS } from './sections.js';

const stylesheet = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'pages', 'rendering', 'assets', 'console.css'), 'utf8');

/**
 * The admin console (/console) of tenant administrators, support staff and operators: a
 * first-party web app signed in through Gatehouse itself (see first-party/), server-rendered,
 * acting through the admin API's access policy and services. The frame (sign-in, sign-out,
 * tenant switch, fresh authentication) lives here; each section in a file of its own, listed
 * in sections.ts.
 */
export function createConsoleRouter(deps: ConsoleDependencies): Router {
  const router = new Router();
  router.use(bodyParser({ enableTypes: ['form'], formLimit: '64kb' }));
  router.use(rejectMalformedBody(htmlErrorPage));
  const { webApp } = deps;
  setNavigation(CONSOLE_SECTIONS);

  router.get(`${CONSOLE_PATH}/console.css`, (ctx) => {
    ctx.type = 'text/css; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = stylesheet;
  });

  router.get(webApp.callbackPath, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const result = await webApp.finishSignIn(ctx);
    if (result.ok) return ctx.redirect(result.fresh ? `${result.returnTo}${result.returnTo.includes('?') ? '&' : '?'}done=reauthenticated` : result.returnTo);
    const message = result.error === 'other_person' ? t('console.sign_in_failed.other_person') : t('console.sign_in_failed.message');
    renderConsoleMessage(ctx, { title: t('console.sign_in_failed.title'), message, linkUrl: CONSOLE_PATH, linkText: t('console.sign_in') }, 400);
  });

  router.get(CONSOLE_PATH, async (ctx) => {
    const request = await openConsole(ctx, deps);
    if (!request) return;
    ctx.redirect(CONSOLE_SECTIONS.find((s) => s.shownTo(request.actor))!.path);
  });

  router.post(`${CONSOLE_PATH}/sign-out`, async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    // Members reach the refusal page, which offers signing out too: only the form token is needed.
    const signedIn = await webApp.current(ctx);
    if (signedIn && !webApp.validCsrf(signedIn, formField(ctx, 'csrf'))) return renderConsoleMessage(ctx, { title: t('console.form_expired.title'), message: t('console.form_expired.message'), linkUrl: CONSOLE_PATH, linkText: t('console.back_to_console') }, 403);
    await webApp.signOut(ctx);
    renderConsoleMessage(ctx, { title: t('console.signed_out.title'), message: t('console.signed_out.message'), linkUrl: CONSOLE_PATH, linkText: t('console.sign_in_again') });
  });

  // Operators work on one tenant at a time: the choice is kept in the session.
  router.post(`${CONSOLE_PATH}/tenant`, async (ctx) => {
    const request = await consoleForm(ctx, deps);
    if (!request) return;
    if (request.actor.kind !== 'operator') return renderConsoleMessage(ctx, { title: t('console.refused.forbidden'), message: t('console.switch.operators_only'), linkUrl: CONSOLE_PATH, linkText: t('console.back_to_console') }, 403);
    const tenant = await deps.tenants.findByIdOrSlug(formField(ctx, 'tenant', 100));
    if (!tenant) return renderConsoleMessage(ctx, { title: t('console.refused.not_found'), message: t('console.switch.no_such_tenant'), linkUrl: CONSOLE_PATH, linkText: t('console.back_to_console') }, 404);
    await webApp.save(request.signedIn, { tenantId: tenant.id });
    seeOther(ctx, `${CONSOLE_PATH}/users?done=tenant-switched`);
  });

  // "Enter your password again": a fresh sign-in of the same person, back to the action's page.
  router.get(`${CONSOLE_PATH}/reauthenticate`, async (ctx) => {
    const request = await openConsole(ctx, deps);
    if (!request) return;
    webApp.beginSignIn(ctx, queryField(ctx, 'return', 500) || CONSOLE_PATH, { fresh: true });
  });

  for (const section of CONSOLE_SECTIONS) section.register(router, deps);
  return router;
}
