/**
 * The layering rules, checked on every source file. First, a module imports only from its own
 * layer or a lower one. Lowest first:
 *
 *   domain, config/paths.ts  <  config, contracts, entities, migrations, observability  <  ml  <  db, events
 *           <  store  <  services, activities, workflows  <  temporal  <  api  <  runtime, cli, bench  <  test
 *
 * store/ is the data-access layer: all SQL and row mapping. events/ sits beside db/ because the
 * store publishes its events (pg_notify) in the same transaction as the writes they announce.
 * Workflows sit beside the services (docs/architecture.md): services start them by function
 * reference, so that their arguments are type-checked. Workflows themselves are stricter still:
 * they run in Temporal's deterministic sandbox and import only domain code, the contracts
 * (workflow and activity inputs and outputs, contracts/) and, as types, the activities they call.
 * contracts/ is bundled into that sandbox too, so it imports only domain code.
 *
 * Then, within the middle layer (issue 20):
 *  - services and activities never import each other: both stand on the store and the domain;
 *  - an activity file (`*.activities.ts`) never imports another one: shared helpers live in the
 *    store or the domain. activities/index.ts, the registry the worker registers, is the one
 *    module that assembles them;
 *  - no SQL outside store/ and migrations/ (and the infrastructure that owns connections: db/,
 *    the pg_notify/LISTEN transport in events/, runtime/, cli/ and bench/ set-up).
 *
 * Type-only imports count like any other (a service that names a GraphQL type knows GraphQL).
 * Tests beside the code may import fixtures and paths from anywhere, so *.test.ts files are not
 * checked.
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
  contracts: 1,
  entities: 1,
  migrations: 1,
  observability: 1,
  // The models: may use domain and config, not the database or anything above it.
  ml: 2,
  db: 3,
  events: 3,
  store: 4,
  services: 5,
  activities: 5,
  workflows: 5,
  temporal: 6,
  api: 7,
  runtime: 8,
  cli: 8,
  bench: 8,
  test: 9,
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

/** `activities/x.activities.ts` (with or without the extension): an activity file, not the registry or a helper module. */
const isActivityFile = (relative: string) => /^activities\/.+\.activities(\.ts)?$/.test(relative);

/** Why `file` (project-relative) may not import `ref`, or null when it may. */
export function violation(file: string, ref: ImportRef): string | null {
  if (!ref.specifier.startsWith('.')) return null; // packages and node: built-ins
  const from = layerOf(file);
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.specifier));
  const to = layerOf(target);
  if (from === 'activities' && to === 'activities' && isActivityFile(file) && isActivityFile(target) && target !== path.posix.normalize(file.replace(/\.ts$/, '')))
    return `${file} imports ${ref.specifier}: an activity file never imports another one (move the shared helper to store/ or domain/)`;
  if (from === to || !(from in LAYER)) return null;
  if (!(to in LAYER)) return `${file} imports ${ref.specifier}, outside every layer`;
  if (from === 'workflows') {
    if (to === 'domain' || to === 'contracts' || (to === 'activities' && ref.typeOnly)) return null;
    return `${file} imports ${ref.specifier}: workflows import only domain code, contracts and activity types`;
  }
  if (from === 'contracts' && to !== 'domain') return `${file} imports ${ref.specifier}: contracts import only domain code (workflows bundle them)`;
  if ((from === 'services' && to === 'activities') || (from === 'activities' && to === 'services'))
    return `${file} imports ${ref.specifier}: services and activities never import each other (share through store/, contracts/ or domain/)`;
  if (LAYER[to] > LAYER[from]) return `${file} (${from}) imports ${ref.specifier} from a higher layer (${to})`;
  return null;
}

/**
 * Uppercase statement shapes, so that prose ("select a feed") and GraphQL never match: a literal
 * that starts a statement, or holds a query's skeleton anywhere (fragments built by string
 * concatenation included).
 */
const SQL_TEXT = /^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|WITH|LISTEN|NOTIFY|CREATE|ALTER|DROP|TRUNCATE)\b|\bSELECT\b[\s\S]*\bFROM\b|\bINSERT INTO\b|\bDELETE FROM\b|\bUPDATE\s+\w+\s+SET\b|\bON CONFLICT\b|\bJOIN LATERAL\b|\bCASE WHEN\b/;

/**
 * Where a file talks SQL: a SQL literal (string or template text), or a call that runs SQL —
 * `x.query(...)` (not a Temporal workflow query: `handle.query(progressQuery)`), `readRows(...)`,
 * `x.createQueryBuilder(...)`. One entry per site, with its line.
 */
export function sqlSites(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const sites: string[] = [];
  const at = (node: ts.Node, what: string) => sites.push(`${fileName}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1} ${what}`);
  const visit = (node: ts.Node) => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (SQL_TEXT.test(node.text)) at(node, 'SQL text');
    } else if (ts.isTemplateExpression(node)) {
      if (SQL_TEXT.test([node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' '))) at(node, 'SQL text');
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '';
      const first = node.arguments[0];
      const workflowQuery = !!first && ts.isIdentifier(first) && first.text.endsWith('Query');
      if ((name === 'query' && ts.isPropertyAccessExpression(callee) && !workflowQuery) || name === 'readRows' || (name === 'createQueryBuilder' && ts.isPropertyAccessExpression(callee))) at(node, `${name}()`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return sites;
}

/**
 * Folders whose files may hold SQL: the store and the migrations, and the infrastructure that
 * owns connections rather than data (db/: connection and migration runner; events/: the
 * pg_notify/LISTEN transport; runtime/: creating databases; cli/ and bench/: set-up and seeding).
 */
const SQL_FOLDERS = new Set(['store', 'migrations', 'db', 'events', 'runtime', 'cli', 'bench']);
/** Files still holding SQL, each with its reason. */
const SQL_ALLOWED: Record<string, string> = {};

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

  it('no SQL outside store/ and migrations/', () => {
    const files = Object.keys(LAYER)
      .filter((dir) => dir !== 'test' && !dir.endsWith('.ts') && !SQL_FOLDERS.has(dir) && fs.existsSync(path.join(ROOT, dir)))
      .flatMap((dir) => sourceFiles(dir))
      .filter((file) => !(file in SQL_ALLOWED));
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap((file) => sqlSites(file, fs.readFileSync(path.join(ROOT, file), 'utf8')))).toEqual([]);
    // The store holds SQL (else the detector finds nothing anywhere).
    expect(sourceFiles('store').flatMap((file) => sqlSites(file, fs.readFileSync(path.join(ROOT, file), 'utf8'))).length).toBeGreaterThan(50);
  });

  it('the SQL check catches what it is meant to catch', () => {
    expect(sqlSites('x.ts', `await db.query('SELECT id FROM feeds WHERE id = $1', [id]);`)).toEqual(['x.ts:1 query()', 'x.ts:1 SQL text']);
    expect(sqlSites('x.ts', `const sql = \`UPDATE backtest_runs SET status = $2 WHERE id = \${id}\`;`)).toEqual(['x.ts:1 SQL text']);
    expect(sqlSites('x.ts', `const rows = await readRows<Row>(db, sql, []);`)).toEqual(['x.ts:1 readRows()']);
    expect(sqlSites('x.ts', `tx.getRepository(Feed).createQueryBuilder('f').where('f.id = :id')`)).toEqual(['x.ts:1 createQueryBuilder()']);
    expect(sqlSites('x.ts', `const q = 'INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING';`)).toEqual(['x.ts:1 SQL text']);
    expect(sqlSites('x.ts', `const f = \`(CASE WHEN \${a}.tier = 'accurate' THEN 0 ELSE 1 END)\`;`)).toEqual(['x.ts:1 SQL text']);
    expect(sqlSites('x.ts', `const x = await runner.query(sql);\nlet y = 1;\nconst z = await m.query(\`DELETE FROM a\`);`)).toEqual(['x.ts:1 query()', 'x.ts:3 query()', 'x.ts:3 SQL text']);
    // Not SQL: prose, GraphQL documents, Temporal workflow queries, lowercase words.
    expect(sqlSites('x.ts', `throw bad('select a feed from the list, then update it');`)).toEqual([]);
    expect(sqlSites('x.ts', `const doc = 'query Signals { signals { id } }';`)).toEqual([]);
    expect(sqlSites('x.ts', `const p = await handle.query(replayProgressQuery);`)).toEqual([]);
    expect(sqlSites('x.ts', `log.info('Selected 3 rows; update from feed');`)).toEqual([]);
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
    expect(check('db/x.ts', `const m = await import('../activities/heartbeat');`)[0]).toMatch(/higher layer \(activities\)/);
    expect(check('store/x-store.ts', `import { ServiceError } from '../services/errors';`)[0]).toMatch(/higher layer \(services\)/);
    expect(check('contracts/x.ts', `import type { Feed } from '../entities';`)[0]).toMatch(/contracts import only domain code/);
    // Issue 20: services and activities never import each other, nor one activity file another.
    expect(check('services/x.ts', `import type { SweepParams } from '../activities/sweep.activities';`)[0]).toMatch(/never import each other/);
    expect(check('activities/x.activities.ts', `import { isFeatureEnabled } from '../services/feature-flags.service';`)[0]).toMatch(/never import each other/);
    expect(check('activities/backtest.activities.ts', `import { loadBars } from './signal.activities';`)[0]).toMatch(/never imports another one/);
    expect(check('activities/sweep.activities.ts', `const b = await import('./backtest.activities.ts');`)[0]).toMatch(/never imports another one/);
    expect(check('events/x.ts', `const m = require('../temporal/worker');`)[0]).toMatch(/higher layer \(temporal\)/);
    expect(check('activities/x.ts', `type T = import('../api/context').GraphQLContext;`)[0]).toMatch(/higher layer/);
    expect(check('workflows/x.ts', `import { pollFeed } from '../activities/ingestion.activities';`)[0]).toMatch(/only domain code, contracts and activity types/);
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
    expect(check('workflows/x.ts', `import type { Activities } from '../activities';\nimport { type PollOutcome } from '../contracts';`)).toEqual([null, null]);
    expect(check('services/x.ts', `import { INTRADAY_SUFFIX } from '../contracts';\nimport { insertArticles } from '../store/article-store';`)).toEqual([null, null]);
    expect(check('store/x-store.ts', `import { publishEvent } from '../events/publish';\nimport { readRows } from '../db/read-rows';`)).toEqual([null, null]);
    // The registry (activities/index.ts) assembles the activity files; helper modules are not activity files.
    expect(check('activities/index.ts', `import { sweepActivities } from './sweep.activities';`)).toEqual([null]);
    expect(check('activities/signal.activities.ts', `import { heartbeating } from './heartbeat';`)).toEqual([null]);
    expect(check('domain/x.ts', `import { z } from 'typeorm';\nimport { y } from './y';\nimport { sharedDataPath } from '../config/paths';`)).toEqual([null, null, null]);
  });
});
