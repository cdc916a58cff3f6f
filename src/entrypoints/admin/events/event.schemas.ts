import { z } from 'zod';
import type { EventRecord } from '../../../domain/events/event.repository.js';
import { EVENT_TYPES } from '../../../domain/events/event-types.js';
import { pageQuerySchema } from '../pagination.js';

const FAMILIES = new Set(EVENT_TYPES.map((type) => `${type.split('.')[0]}.*`));

const type = z
  .string()
  .refine((value) => (EVENT_TYPES as readonly string[]).includes(value) || FAMILIES.has(value), 'an event type (login.failed) or a family of them (admin.*)')
  .openapi({ description: `One type, or a family ending in .*: ${[...FAMILIES].join(', ')}` });
const since = z.iso.datetime({ offset: true }).openapi({ description: 'Only events at or after this instant (ISO 8601)' });

export const tenantEventQuerySchema = pageQuerySchema.extend({
  type: type.optional(),
  user: z.string().uuid().optional().openapi({ description: 'A user id' }),
  client: z.string().min(1).max(200).optional().openapi({ description: 'A client id: e.g. a failing integration\'s client.auth_failed events' }),
  since: since.optional(),
});

export const userEventQuerySchema = pageQuerySchema.extend({ type: type.optional(), since: since.optional() });

export const eventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    type: z.enum(EVENT_TYPES),
    tenant: z.string().nullable(),
    user: z.string().nullable(),
    client_id: z.string().nullable(),
    client_kind: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    reason: z.string().nullable().openapi({ description: 'A reason code, e.g. wrong_password, previous_password, locked, password_changed_by_admin, client_secret_expired' }),
    actor: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'Who acted: an operator client or a tenant administrator' }),
    details: z.record(z.string(), z.unknown()).nullable(),
    request_id: z.string().nullable().openapi({ description: 'The X-Request-Id of the request that recorded the event; every log line of that request carries it too' }),
  })
  .openapi('Event');

export const eventListSchema = z.object({ items: z.array(eventSchema), next_cursor: z.string().nullable() }).openapi('EventList');

export function eventView(event: EventRecord): z.infer<typeof eventSchema> {
  return {
    id: String(event.id),
    at: event.at.toISOString(),
    type: event.type,
    tenant: event.tenant_id,
    user: event.user_id,
    client_id: event.client_id,
    client_kind: event.client_kind,
    ip: event.ip,
    user_agent: event.user_agent,
    reason: event.reason,
    actor: event.actor as Record<string, unknown> | null,
    details: event.details,
    request_id: event.request_id ?? null,
  };
}
