/**
 * Enforces DESIGN.md §1: the direction of imports between layers, no reaching into another folder's
 * `internal/`, no runtime import cycles, and source code importing only declared dependencies.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findRuntimeCycles, listSourceFiles, readImports, type ImportEdge } from './architecture/import-graph.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Layer of a file: the first prefix that matches (more specific first). */
const layerPrefixes: [prefix: string, layer: string][] = [
  ['src/index.ts', 'facade'],
  ['src/testing/', 'facade'],
  ['cli/', 'facade'],
  ['src/core/', 'core'],
  ['src/serdes/', 'serdes'],
  ['src/broker/', 'broker'],
  ['src/client/', 'client'],
  ['src/protocol/', 'protocol'],
  ['src/processor/', 'processor'],
  ['state/', 'state'],
  ['src/runtime/', 'runtime'],
  ['dsl/', 'dsl'],
  ['examples/', 'examples'],
];

const below = ['core', 'serdes', 'broker', 'client', 'protocol', 'processor', 'state', 'runtime', 'dsl'];
/** Which layers each layer may import (its own always allowed). */
const allowed: Record<string, string[]> = {
  core: [],
  serdes: ['core'],
  broker: ['serdes', 'core'],
  client: ['broker', 'serdes', 'core'],
  protocol: ['broker', 'serdes', 'core'],
  // Side by side with state/, but the processor API may use state's public interfaces.
  processor: ['state', 'client', 'protocol', 'broker', 'serdes', 'core'],
  state: ['client', 'protocol', 'broker', 'serdes', 'core'],
  // The runtime reaches a broker only through src/client, so the same app runs on any transport.
  runtime: ['processor', 'state', 'client', 'protocol', 'serdes', 'core'],
  // The DSL compiles to the processor API; it never sees tasks, clients or the broker.
  dsl: ['processor', 'state', 'serdes', 'core'],
  facade: [...below, 'facade'],
  examples: [],
};

function layerOf(file: string): string | null {
  for (const [prefix, layer] of layerPrefixes) if (file === prefix || file.startsWith(prefix)) return layer;
  return null;
}

/** The folder that owns an `internal/` directory in a path, e.g. `state/internal/x.ts` -> `state/`. */
function internalOwner(file: string): string | null {
  const i = file.indexOf('/internal/');
  return i < 0 ? null : file.slice(0, i + 1);
}

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  dependencies?: Record<string, string>;
};
const runtimeDeps = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function violations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    if (e.to === null) {
      const name = packageName(e.specifier);
      const isBuiltin = e.specifier.startsWith('node:') || builtins.has(name);
      if (from === 'examples') {
        if (!isBuiltin && !['tributary', 'tributary/testing'].includes(e.specifier) && !runtimeDeps.has(name)) {
          out.push(`${e.from} imports ${e.specifier}: examples use only the published entry points`);
        }
      } else if (from === 'core' && !isBuiltin) {
        out.push(`${e.from} imports ${e.specifier}: src/core imports nothing`);
      } else if (from !== null && !isBuiltin && !runtimeDeps.has(name) && !e.typeOnly) {
        out.push(`${e.from} imports ${e.specifier}, which is not in package.json dependencies`);
      } else if (from !== null && from !== 'facade' && (e.specifier === 'tributary' || e.specifier.startsWith('tributary/'))) {
        out.push(`${e.from} imports the public facade ${e.specifier}; only users of the API may`);
      }
      continue;
    }
    const to = layerOf(e.to);
    if (from === null) continue; // test/, bench/, scripts/ may use anything
    if (to === null) {
      out.push(`${e.from} imports ${e.to}, which is outside the layered sources`);
      continue;
    }
    if (from === 'examples' && to !== 'examples') {
      out.push(`${e.from} imports ${e.to} directly: examples use only 'tributary' and 'tributary/testing'`);
      continue;
    }
    if (from !== to && !allowed[from]!.includes(to)) {
      out.push(`${e.from} (${from}) imports ${e.to} (${to}): DESIGN.md §1 does not allow ${from} -> ${to}`);
    }
    const owner = internalOwner(e.to);
    if (owner !== null && !e.from.startsWith(owner)) {
      out.push(`${e.from} imports ${e.to}: another folder's internal/ is private to ${owner}`);
    }
  }
  return out;
}

const files = listSourceFiles(root, ['src', 'dsl', 'state', 'cli', 'examples']);
const edges = files.flatMap((f) => readImports(root, f));

describe('architecture', () => {
  it('finds the sources it checks', () => {
    expect(files).toContain('src/core/errors.ts');
    expect(edges.length).toBeGreaterThan(0);
  });

  it('imports only along the layer map of DESIGN.md §1', () => {
    expect(violations(edges)).toEqual([]);
  });

  it('has no runtime import cycles', () => {
    expect(findRuntimeCycles(edges)).toEqual([]);
  });

  // The checks above must be able to fail: feed them edges that break each rule.
  it('rejects an upward import, a reach into internal/, an undeclared package and a cycle', () => {
    const bad: ImportEdge[] = [
      { from: 'src/broker/x.ts', specifier: '../runtime/y.js', to: 'src/runtime/y.ts', typeOnly: false },
      { from: 'dsl/a.ts', specifier: '../src/runtime/b.js', to: 'src/runtime/b.ts', typeOnly: true },
      { from: 'src/runtime/a.ts', specifier: '../broker/b.js', to: 'src/broker/b.ts', typeOnly: false },
      { from: 'src/runtime/a.ts', specifier: '../../state/internal/c.js', to: 'state/internal/c.ts', typeOnly: false },
      { from: 'src/core/a.ts', specifier: 'rxjs', to: null, typeOnly: false },
      { from: 'src/broker/a.ts', specifier: 'left-pad', to: null, typeOnly: false },
      { from: 'examples/a.ts', specifier: '../src/index.js', to: 'src/index.ts', typeOnly: false },
    ];
    expect(violations(bad)).toHaveLength(bad.length);
    const cyclic: ImportEdge[] = [
      { from: 'a.ts', specifier: './b.js', to: 'b.ts', typeOnly: false },
      { from: 'b.ts', specifier: './a.js', to: 'a.ts', typeOnly: false },
      { from: 'c.ts', specifier: './d.js', to: 'd.ts', typeOnly: true },
      { from: 'd.ts', specifier: './c.js', to: 'c.ts', typeOnly: false },
    ];
    expect(findRuntimeCycles(cyclic)).toEqual([['a.ts', 'b.ts']]);
  });
});
