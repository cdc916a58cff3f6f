// tsc compiles TypeScript only: copy the page and email templates beside the compiled renderers.
import { cpSync } from 'node:fs';

cpSync('src/entrypoints/pages/rendering/views', 'dist/src/entrypoints/pages/rendering/views', { recursive: true });
cpSync('src/entrypoints/pages/rendering/assets', 'dist/src/entrypoints/pages/rendering/assets', { recursive: true });
cpSync('src/infrastructure/courier/templates', 'dist/src/infrastructure/courier/templates', { recursive: true });
cpSync('src/infrastructure/i18n/locales', 'dist/src/infrastructure/i18n/locales', { recursive: true });
