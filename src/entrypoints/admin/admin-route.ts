import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import type { Router, RouterContext } from '@koa/router';
import { z } from 'zod';
import type { AdminActor } from './admin-actor.js';
import { validate } from './request-validation.js';

extendZodWithOpenApi(z);

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface AdminRouteDefinition<B extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> {
  method: Method;
  /** OpenAPI-style path below /admin/v1, e.g. `/tenants/{t}/users/{id}`. */
  path: string;
  summary: string;
  body?: B;
  query?: Q;
  /** Status and schema of the success response (204: no body). */
  success: { status: 200 | 201 | 202 | 204; schema?: R; description: string };
  /** Error statuses this call may answer besides 400/401. */
  errors?: (403 | 404 | 409 | 422 | 429)[];
  handler: (input: { ctx: RouterContext; actor: AdminActor; params: Record<string, string>; body: z.infer<B>; query: z.infer<Q> }) => Promise<z.infer<R> | void>;
}

const problemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number(), code: z.string().optional(), errors: z.array(z.object({ field: z.string(), message: z.string() })).optional() })
  .openapi('Problem');

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: the problem names each field',
  401: 'No valid access token with the admin scope',
  403: 'The caller may not do this',
  404: 'No such object for this caller (another tenant\'s objects are not found)',
  409: 'The object\'s state does not allow this, or it would duplicate another',
  422: 'Beyond what the caller may set (an operator\'s ceiling)',
  429: 'Too many requests',
};

/**
 * Declares one admin API call: the same zod schemas validate the request and generate the
 * OpenAPI document, so the two cannot drift.
 */
export class AdminApi {
  private readonly registry = new OpenAPIRegistry();

  constructor(private readonly router: Router) {
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Access token issued by Gatehouse with scope admin' });
  }

  route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, R extends z.ZodType = z.ZodUnknown>(definition: AdminRouteDefinition<B, Q, R>): void {
    const params = [...definition.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    this.registry.registerPath({
      method: definition.method,
      path: definition.path,
      summary: definition.summary,
      security: [{ bearer: [] }],
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string()]))) } : {}),
        ...(definition.query ? { query: definition.query as never } : {}),
        ...(definition.body ? { body: { content: { 'application/json': { schema: definition.body } } } } : {}),
      },
      responses: {
        [definition.success.status]: {
          description: definition.success.description,
          ...(definition.success.schema ? { content: { 'application/json': { schema: definition.success.schema } } } : {}),
        },
        ...Object.fromEntries(
          [400, 401, ...(definition.errors ?? [])].map((status) => [status, { description: ERROR_DESCRIPTIONS[status]!, content: { 'application/problem+json': { schema: problemSchema } } }]),
        ),
      },
    });

    const koaPath = definition.path.replace(/\{(\w+)\}/g, ':$1');
    this.router[definition.method](koaPath, async (ctx) => {
      const body = definition.body ? validate(definition.body, ctx.request.body) : undefined;
      const query = definition.query ? validate(definition.query, ctx.query, 'query') : undefined;
      const result = await definition.handler({ ctx, actor: ctx.state.actor as AdminActor, params: ctx.params as Record<string, string>, body: body as never, query: query as never });
      ctx.status = definition.success.status;
      if (definition.success.status !== 204) ctx.body = result;
    });
  }

  document(serverUrl: string) {
    return new OpenApiGeneratorV31(this.registry.definitions).generateDocument({
      openapi: '3.1.0',
      info: { title: 'Gatehouse admin API', version: '1', description: 'Tenants, users and clients of Gatehouse. Errors are application/problem+json.' },
      servers: [{ url: serverUrl }],
    });
  }
}
