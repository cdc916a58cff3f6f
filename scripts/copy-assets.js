// tsc compiles TypeScript only: copy the page and email templates beside the compiled renderers.
import { cpSync } from 'node:fs';

cpSync('src/pages/views', 'dist/src/pages/views', { recursive: true });
cpSync('src/courier/templates', 'dist/src/courier/templates', { recursive: true });
