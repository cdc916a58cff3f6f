import type { Router } from '@koa/router';
import type { BlockerCode } from '../../../domain/diagnosis/diagnose.js';
import { eventActor } from '../../admin/admin-actor.js';
import { visibleUser } from '../../admin/users/user-scope.js';
import { pageClock } from '../../pages/rendering/page-text.js';
import { eventSentence } from '../event-sentences.js';
import { asPage, consoleForm, isFresh, openConsole, reauthenticationLink, renderConsole, seeOther } from '../console-request.js';
import type { ConsoleDependencies, ConsoleSection } from '../console-section.js';

/** How far back the timeline reads, and how many events at most. */
const TIMELINE_DAYS = 7;
const TIMELINE_EVENTS = 100;

type Fix = 'unlock' | 'reset' | 'temporary_password' | 'enable' | 'forget_devices';

/** The one-click fix each blocker suggests (the page offers Reset whatever the blockers). */
const FIXES: Partial<Record<BlockerCode, Fix>> = {
  locked: 'unlock',
  disabled: 'enable',
  temporary_password_expired: 'temporary_password',
  password_change_required: 'temporary_password',
  message_failed: 'reset',
  message_suppressed: 'reset',
  no_usable_second_factor: 'forget_devices',
  mfa_phone_missing: 'forget_devices',
};

/**
 * "Why can't this user sign in?": the diagnosis of GET …/users/{id}/diagnosis as a page — the
 * blockers in words, each app's last success and failure, a timeline of the user's recent
 * events per app (failed passwords with address, refusals with reasons, messages) — and the
 * fixes it suggests as forms (unlock, Reset or a temporary password, enable, forget browsers).
 */
export const diagnosisSection: ConsoleSection = {
  id: 'diagnosis',
  path: '/console/users',
  shownTo: () => true,
  register(router: Router, deps: ConsoleDependencies) {
    router.get('/console/users/:id/diagnosis', async (ctx) => {
      const request = await openConsole(ctx, deps);
      if (!request) return;
      const found = await asPage(ctx, request, '/console/users', async () => {
        const { tenant, user } = await visibleUser(deps, request.actor, { t: request.tenant.id, id: ctx.params.id! });
        const now = new Date();
        const [diagnosis, events] = await Promise.all([deps.diagnosis.diagnose(tenant, user), deps.eventHistory.ofUser(user.id, new Date(now.getTime() - TIMELINE_DAYS * 86_400_000), TIMELINE_EVENTS)]);
        return { tenant, user, diagnosis, events, now };
      });
      if (!found) return;
      const { tenant, user, diagnosis, events, now } = found;
      const zone = tenant.settings.time_zone;
      const names = new Map<string, string>();
      await Promise.all(
        [...new Set(events.map((e) => e.client_id).filter((id): id is string => Boolean(id)))].map(async (id) => names.set(id, (await deps.clients.findById(id))?.name ?? id)),
      );
      const byApp = new Map<string, { name: string; lines: { at: string; sentence: string }[] }>();
      for (const event of events) {
        const key = event.client_id ?? '';
        if (!byApp.has(key)) byApp.set(key, { name: event.client_id ? names.get(event.client_id)! : '', lines: [] });
        byApp.get(key)!.lines.push({ at: pageClock(event.at, now, zone), sentence: eventSentence(event, event.client_id ? names.get(event.client_id)! : null) });
      }
      const fixes = new Set<Fix>(diagnosis.blockers.map((b) => FIXES[b.code]).filter((f): f is Fix => Boolean(f)));
      fixes.add(user.password_temporary ? 'temporary_password' : 'reset');
      renderConsole(ctx, 'console-diagnosis', request, 'users', {
        user,
        canSignIn: diagnosis.can_sign_in,
        blockers: diagnosis.blockers.map((b) => ({ message: b.message, fix: FIXES[b.code] })),
        clients: diagnosis.clients.map((c) => ({ name: names.get(c.client_id) ?? c.client_id, lastSuccess: c.last_success_at ? pageClock(new Date(c.last_success_at), now, zone) : null, lastFailure: c.last_failure ? { at: pageClock(new Date(c.last_failure.at), now, zone), reason: eventSentence({ type: 'login.failed', reason: c.last_failure.reason, ip: null }, null) } : null, devices: c.active_refresh_tokens })),
        timeline: [...byApp.values()],
        fixes: [...fixes],
        fresh: isFresh(request, deps),
        reauthUrl: reauthenticationLink(`/console/users/${user.id}/diagnosis`),
      });
    });

    // Forget remembered browsers (as DELETE …/users/{id}/devices): each must pass the second step again.
    router.post('/console/users/:id/forget-devices', async (ctx) => {
      const request = await consoleForm(ctx, deps);
      if (!request) return;
      const done = await asPage(ctx, request, `/console/users/${encodeURIComponent(ctx.params.id!)}`, async () => {
        const { tenant, user } = await visibleUser(deps, request.actor, { t: request.tenant.id, id: ctx.params.id! });
        await deps.userAdmin.forgetDevices(tenant, user, eventActor(request.actor));
        return true;
      });
      if (done) seeOther(ctx, `/console/users/${encodeURIComponent(ctx.params.id!)}/diagnosis?done=devices-forgotten`);
    });
  },
};
