/**
 * The layering rule, checked on every source file: a module imports only from its own layer or
 * a lower one. Lowest first:
 *
 *   domain, config/paths.ts  <  config, entities, migrations, observability  <  ml  <  db
 *           <  services, activities, workflows, events  <  temporal  <  api  <  runtime, cli, bench  <  test
 *
 * Workflows sit beside the services (DEVELOPERS.md): services and activities start them by
 * function reference, so that their arguments are type-checked. Workflows themselves are
 * stricter still: they run in Temporal's deterministic sandbox and import only domain code and,
 * as types, the activities they call. Type-only imports count like any other
 * (a service that names a GraphQL type knows GraphQL). Tests beside the code may import
 * fixtures and paths from anywhere, so *.test.ts files are not checked.
 *
 * ml/ (the models: serving, training, evaluation) sits on the domain and config and below
 * everything that does I/O on the database. Neither domain/ nor ml/ reads process.env: their
 * configuration comes from config/ and is passed in (ml/settings.ts).
 *
 * This lives in runtime/ because runtime is the composition root, the one layer that sees all.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

const LAYER: Record<string, number> = {
  domain: 0,
  // Where the checkout and the shared data sets are: a leaf with no imports, usable by all.
  'config/paths.ts': 0,
  config: 1,
  entities: 1,
  migrations: 1,
  observability: 1,
  // The models: may use domain and config, not the database or anything above it.
  ml: 2,
  db: 3,
  // Data access (SQL) between the database and the services (issue 20; emotions put theirs here first).
  store: 3.5,
  services: 4,
  activities: 4,
  events: 4,
  workflows: 4,
  temporal: 5,
  api: 6,
  runtime: 7,
  cli: 7,
  bench: 7,
  test: 8,
};

/** Folders whose code takes its configuration as arguments and never reads the environment. */
const NO_ENV = ['domain', 'ml'];

/** Where a file reads `process.env` (`process.env.X`, `process.env['X']`, `const { env } = process`), as 1-based lines. */
export function envReads(fileName: string, text: string): number[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const lines: number[] = [];
  const isProcess = (node: ts.Node) => ts.isIdentifier(node) && node.text === 'process';
  const visit = (node: ts.Node) => {
    const hit =
      (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && node.name.text === 'env') ||
      (ts.isElementAccessExpression(node) && isProcess(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env') ||
      (ts.isVariableDeclaration(node) && !!node.initializer && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name) && node.name.elements.some((e) => ((e.propertyName ?? e.name) as ts.Identifier).text === 'env'));
    if (hit) lines.push(source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

/** Every module a file names: static imports and re-exports, dynamic import() and require(). */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const typeOnly =
        !!clause && (clause.isTypeOnly || (!clause.name && !!clause.namedBindings && ts.isNamedImports(clause.namedBindings) && clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.arguments.length > 0 && ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) refs.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      refs.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The layer of a project-relative path: the file's own entry, else its top-level folder. */
const layerOf = (relative: string) => {
  const file = relative.endsWith('.ts') ? relative : `${relative}.ts`;
  return file in LAYER ? file : relative.split('/')[0];
};

/** Why `file` (project-relative) may not import `ref`, or null when it may. */
export function violation(file: string, ref: ImportRef): string | null {
  if (!ref.specifier.startsWith('.')) return null; // packages and node: built-ins
  const from = layerOf(file);
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.specifier));
  const to = layerOf(target);
  if (from === to || !(from in LAYER)) return null;
  if (!(to in LAYER)) return `${file} imports ${ref.specifier}, outside every layer`;
  if (from === 'workflows') {
    if (to === 'domain' || (to === 'activities' && ref.typeOnly)) return null;
    return `${file} imports ${ref.specifier}: workflows import only domain code and activity types`;
  }
  if (LAYER[to] > LAYER[from]) return `${file} (${from}) imports ${ref.specifier} from a higher layer (${to})`;
  return null;
}

function sourceFiles(dir: string, withTests = false): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourceFiles(relative, withTests));
    else if (entry.name.endsWith('.ts') && (withTests || !entry.name.endsWith('.test.ts')) && !entry.name.endsWith('.d.ts')) out.push(relative);
  }
  return out;
}

describe('layers', () => {
  it('no module imports from a higher layer', () => {
    const files = Object.keys(LAYER)
      .filter((dir) => dir !== 'test' && !dir.endsWith('.ts') && fs.existsSync(path.join(ROOT, dir)))
      .flatMap((dir) => sourceFiles(dir));
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) =>
      importsOf(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))
        .map((ref) => violation(file, ref))
        .filter((v): v is string => v !== null),
    );
    expect(problems).toEqual([]);
  });

  it('no process.env under domain/ and ml/ (tests included): configuration is passed in', () => {
    const files = NO_ENV.flatMap((dir) => sourceFiles(dir, true));
    expect(files.filter((f) => f.startsWith('ml/')).length).toBeGreaterThan(30);
    const reads = files.flatMap((file) => envReads(file, fs.readFileSync(path.join(ROOT, file), 'utf8')).map((line) => `${file}:${line}`));
    expect(reads).toEqual([]);
  });

  it('the environment check catches what it is meant to catch', () => {
    expect(envReads('ml/x.ts', `const d = process.env.TIDINGS_ENCODER_DIR;`)).toEqual([1]);
    expect(envReads('ml/x.ts', `\nprocess.env.TF_CPP_MIN_LOG_LEVEL ??= '2';`)).toEqual([2]);
    expect(envReads('ml/x.ts', `const e = process['env'];`)).toEqual([1]);
    expect(envReads('ml/x.ts', `const { env } = process;`)).toEqual([1]);
    expect(envReads('ml/x.ts', `// process.env is read in config/\nconst d = config.encoderDir;`)).toEqual([]);
  });

  it('the check catches what it is meant to catch', () => {
    const check = (file: string, text: string) => importsOf(file, text).map((ref) => violation(file, ref));
    expect(check('services/x.ts', `import { apiError } from '../api/errors';`)[0]).toMatch(/higher layer \(api\)/);
    expect(check('services/x.ts', `import type { GraphQLContext } from '../api/context';`)[0]).toMatch(/higher layer/);
    expect(check('domain/feeds/x.ts', `export { a } from '../../db/article-store';`)[0]).toMatch(/higher layer \(db\)/);
    expect(check('db/x.ts', `const m = await import('../activities/ingestion-types');`)[0]).toMatch(/higher layer \(activities\)/);
    expect(check('events/x.ts', `const m = require('../temporal/worker');`)[0]).toMatch(/higher layer \(temporal\)/);
    expect(check('activities/x.ts', `type T = import('../api/context').GraphQLContext;`)[0]).toMatch(/higher layer/);
    expect(check('workflows/x.ts', `import { pollFeed } from '../activities/ingestion.activities';`)[0]).toMatch(/only domain code and activity types/);
    expect(check('workflows/x.ts', `import { Feed } from '../entities';`)[0]).toMatch(/only domain code/);
    expect(check('domain/x.ts', `import { loadConfig } from '../config/config';`)[0]).toMatch(/higher layer \(config\)/);
    expect(check('domain/x.ts', `import { tfRuntime } from '../ml';`)[0]).toMatch(/higher layer \(ml\)/);
    expect(check('ml/serving/x.ts', `import { openDatabase } from '../../db/data-source';`)[0]).toMatch(/higher layer \(db\)/);
    expect(check('config/x.ts', `import { configureMl } from '../ml';`)[0]).toMatch(/higher layer \(ml\)/);
    expect(check('workflows/x.ts', `import { createScorer } from '../ml';`)[0]).toMatch(/only domain code/);
    // Allowed: lower layers, the same layer, activity types in workflows, packages.
    expect(check('api/x.ts', `import { ServiceError } from '../services/errors';`)).toEqual([null]);
    expect(check('services/x.ts', `import { publishEvent } from '../events/publish';`)).toEqual([null]);
    expect(check('activities/x.ts', `import { createScorer } from '../ml';`)).toEqual([null]);
    expect(check('ml/serving/x.ts', `import type { MlConfig } from '../../config/ml';\nimport { MAX_SCORED_CHARS } from '../../domain/sentiment';`)).toEqual([null, null]);
    expect(check('services/x.ts', `import { pollFeedWorkflow } from '../workflows/poll-feed.workflow';`)).toEqual([null]);
    expect(check('workflows/x.ts', `import type { Activities } from '../activities';\nimport { type PollOutcome } from '../activities/ingestion-types';`)).toEqual([null, null]);
    expect(check('domain/x.ts', `import { z } from 'typeorm';\nimport { y } from './y';\nimport { sharedDataPath } from '../config/paths';`)).toEqual([null, null, null]);
  });
});
