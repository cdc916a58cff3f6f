// tsc compiles TypeScript only: copy the page templates beside the compiled renderer.
import { cpSync } from 'node:fs';

cpSync('src/pages/views', 'dist/src/pages/views', { recursive: true });
