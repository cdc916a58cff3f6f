import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder tree is the architecture (README, "Where things live"): the composition root on
 * top, then the entry points (provider configuration, hosted pages, admin API, demo, ops), the
 * domain modules, and infrastructure at the bottom. Imports run downward only, and no two
 * modules (second-level folders such as `domain/users`) import each other in a circle.
 * Type-only imports count too: a type that points upward is a dependency that points upward.
 */
const SRC = path.resolve('src');
const LAYERS = ['infrastructure', 'domain', 'entrypoints', 'app'] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [full] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => path.resolve(path.dirname(file), m[1]!.replace(/\.js$/, '.ts')));
}

/** `app` for the root files and app/, otherwise the top folder below src/. */
function layerOf(file: string): number {
  const [top] = path.relative(SRC, file).split(path.sep);
  // migrations/ (outside src/): the schema's changes and the migrator that applies them, beside the storage layer.
  if (top === '..') return LAYERS.indexOf('infrastructure');
  const layer = LAYERS.indexOf(top as (typeof LAYERS)[number]);
  return layer === -1 ? LAYERS.indexOf('app') : layer;
}

/** `domain/users`, `entrypoints/pages`, `app`: the unit whose imports must not circle. */
function moduleOf(file: string): string {
  const parts = path.relative(SRC, file).split(path.sep);
  if (parts[0] === '..') return parts[1]!;
  return LAYERS.includes(parts[0] as never) && parts[0] !== 'app' && parts.length > 2 ? `${parts[0]}/${parts[1]}` : 'app';
}

const files = sourceFiles(SRC);
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe('the layers of src/', () => {
  it('has every file in a known layer', () => {
    const stray = files.filter((f) => path.relative(SRC, f).includes(path.sep) && !LAYERS.includes(path.relative(SRC, f).split(path.sep)[0] as never));
    expect(stray.map((f) => path.relative(SRC, f))).toEqual([]);
  });

  it('imports only downward (or within a layer)', () => {
    const upward = edges.filter(({ from, to }) => layerOf(to) > layerOf(from)).map(({ from, to }) => `${path.relative(SRC, from)} -> ${path.relative(SRC, to)}`);
    expect(upward).toEqual([]);
  });

  it('has no circle between modules', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const a = moduleOf(from);
      const b = moduleOf(to);
      if (a === b) continue;
      if (!graph.has(a)) graph.set(a, new Set());
      graph.get(a)!.add(b);
    }
    expect(circles(graph)).toEqual([]);
  });
});

/** Strongly connected components of more than one module (Tarjan), each sorted. */
function circles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indices.get(next)!));
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}
