// Lets a child process run Gatehouse straight from its TypeScript sources (tests fork real
// server processes without a build): `node --import ./register.mjs src/main.ts`.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
