import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// The schemas describe themselves for the OpenAPI document (`.openapi()`): zod must be extended
// before any schema module is evaluated, whichever entry point (admin API, console) loads it first.
extendZodWithOpenApi(z);
