import { availableParallelism } from 'node:os';

/**
 * Loaded before Gatehouse with `node --import ./dist/src/threadpool.js dist/src/main.js` (the
 * Dockerfile and `npm start` do): raises libuv's thread pool from its 4 threads, so bcrypt
 * (bounded below the pool size, see password-hasher.ts) never leaves DNS lookups and file reads
 * waiting. libuv reads UV_THREADPOOL_SIZE once, when the pool first starts, and loading an ES
 * module already starts it: setting it at the top of main.ts would be too late. A value set in
 * the environment (the Dockerfile's, an operator's) is kept.
 */
if (!process.env.UV_THREADPOOL_SIZE) process.env.UV_THREADPOOL_SIZE = String(Math.max(8, availableParallelism() + 4));
