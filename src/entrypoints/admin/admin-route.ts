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
  errors?: (403 | 404 | 409 | 422 | 429 | 502)[];
  /** Defaults to the method and the path's fixed words (`getTenantsUsersDiagnosis`). */
  operationId?: string;
  handler: (input: { ctx: RouterContext; actor: AdminActor; params: Record<string, string>; body: z.infer<B>; query: z.infer<Q> }) => Promise<z.infer<R> | void>;
}

/** `get /tenants/{t}/users` → `getTenantsUsers`, `get /tenants/{t}/users/{id}` → `getTenantsUser`: unique per call. */
function operationIdOf(method: Method, path: string): string {
  const words = path.split('/').filter((part) => part && !part.startsWith('{')).flatMap((part) => part.split('-'));
  // One of a collection (the path ends with its id): the singular, so a list and an item differ.
  if (path.endsWith('}')) words[words.length - 1] = words.at(-1)!.replace(/s$/, '');
  return method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

const TAGS: [RegExp, string][] = [
  [/\/second-factor/, 'Second factor'],
  [/\/messages/, 'Messages'],
  [/\/events/, 'Events'],
  [/\/clients/, 'Clients'],
  [/\/users/, 'Users'],
];

function tagOf(path: string): string {
  return TAGS.find(([pattern]) => pattern.test(path))?.[1] ?? 'Tenants';
}

function describeParam(name: string, path: string): string {
  switch (name) {
    case 't':
      return 'The tenant: its id or its slug';
    case 'id':
      return path.includes('/clients/') ? 'The client_id' : 'The user id';
    case 'client':
      return 'The client_id of the app';
    case 'method':
      return '`sms`, `recovery-codes`, or the id of an authenticator app or passkey';
    default:
      return name;
  }
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
  429: 'Too many requests: Retry-After says when to try again',
  502: 'The email or SMS provider refused the message: the problem gives its reason',
};

/**
 * Declares one admin API call: the same zod schemas validate the request and generate the
 * OpenAPI document, so the two cannot drift.
 */
export class AdminApi {
  private readonly registry = new OpenAPIRegistry();

  constructor(
    private readonly router: Router,
    issuer: string,
  ) {
    this.registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'Access token issued by Gatehouse with scope admin' });
    this.registry.registerComponent('securitySchemes', 'operator', {
      type: 'oauth2',
      description: 'Operators: an operator client with client_credentials and scope admin',
      flows: { clientCredentials: { tokenUrl: `${issuer}/token`, scopes: { admin: 'The admin API' } } },
    });
    this.registry.registerComponent('securitySchemes', 'user', {
      type: 'oauth2',
      description: "A tenant's administrators and staff: authorization code with PKCE, scope admin",
      flows: { authorizationCode: { authorizationUrl: `${issuer}/auth`, tokenUrl: `${issuer}/token`, scopes: { admin: 'The admin API' } } },
    });
  }

  route<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, R extends z.ZodType = z.ZodUnknown>(definition: AdminRouteDefinition<B, Q, R>): void {
    const params = [...definition.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    this.registry.registerPath({
      method: definition.method,
      path: definition.path,
      summary: definition.summary,
      operationId: definition.operationId ?? operationIdOf(definition.method, definition.path),
      tags: [tagOf(definition.path)],
      security: [{ bearer: [] }, { operator: ['admin'] }, { user: ['admin'] }],
      request: {
        ...(params.length ? { params: z.object(Object.fromEntries(params.map((p) => [p, z.string().openapi({ description: describeParam(p, definition.path) })]))) } : {}),
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
