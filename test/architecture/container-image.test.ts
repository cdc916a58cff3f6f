import { readFileSync } from 'node:fs';

/**
 * The image's rules, read from the Dockerfile and .dockerignore (no container engine needed):
 * what runs, as whom, with which files and dependencies.
 */
const dockerfile = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
const dockerignore = readFileSync('.dockerignore', 'utf8').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };

/** Instructions of the stage named `name`, comments dropped. */
function stage(name: string): string[] {
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const found = stages.find((text) => new RegExp(`^\\S+ AS ${name}\\s*$`, 'm').test(text.split('\n')[0]!));
  if (!found) throw new Error(`no stage ${name}`);
  return found.split('\n').slice(1).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
}

const runtime = stage('runtime');
const instruction = (keyword: string) => runtime.filter((line) => line.startsWith(`${keyword} `));

describe('the container image', () => {
  it('runs as a numeric, unprivileged user', () => {
    const users = instruction('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
  });

  it('has a HEALTHCHECK that asks /healthz', () => {
    expect(instruction('HEALTHCHECK')).toEqual([expect.stringMatching(/^HEALTHCHECK .*CMD .*\/healthz/)]);
  });

  it('starts Node itself, with the young generation sized and the thread-pool preload, as `npm start` does, not npm', () => {
    expect(instruction('CMD')).toEqual(['CMD ["node", "--max-semi-space-size=32", "--import", "./dist/src/threadpool.js", "dist/src/main.js"]']);
    expect(pkg.scripts.start).toBe('node --max-semi-space-size=32 --import ./dist/src/threadpool.js dist/src/main.js');
  });

  it('runs Node 24 LTS or later, whose AsyncLocalStorage costs no hook per promise, in every stage', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)(-[a-z]+)*-slim$/m.exec(dockerfile);
    expect(image).not.toBeNull();
    expect(Number(image![1])).toBeGreaterThanOrEqual(24);
    // Built and run on the same Node: a native module built for one major may not load in another.
    expect(dockerfile.match(/^FROM \S+/gm)!.filter((from) => !from.startsWith('FROM ${NODE_IMAGE}') && !/^FROM (deps-base|build|prod-deps)$/.test(from))).toEqual([]);
  });

  it('sizes libuv\'s thread pool in the environment, before it starts', () => {
    expect(instruction('ENV').join(' ')).toMatch(/UV_THREADPOOL_SIZE=(\d+)/);
    expect(Number(/UV_THREADPOOL_SIZE=(\d+)/.exec(instruction('ENV').join(' '))![1])).toBeGreaterThan(4);
  });

  it('installs production dependencies only, and only those reach the runtime', () => {
    expect(stage('prod-deps').join('\n')).toMatch(/npm ci --omit=dev\b/);
    expect(instruction('COPY').filter((line) => line.includes('node_modules'))).toEqual(['COPY --from=prod-deps /app/node_modules ./node_modules']);
  });

  it('keeps type packages out of the production dependencies', () => {
    expect(Object.keys(pkg.dependencies).filter((name) => name.startsWith('@types/'))).toEqual([]);
  });

  it('never ships benchmarks, tests or local state', () => {
    for (const excluded of ['bench', 'test', 'node_modules', 'dist', 'data', '.env', '.git']) expect(dockerignore).toContain(excluded);
    const copied = instruction('COPY').join('\n');
    expect(copied).not.toMatch(/bench|test/);
    expect(copied).not.toMatch(/--from=build \/app\/dist \.\/dist/);
  });
});
