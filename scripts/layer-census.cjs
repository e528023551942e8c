#!/usr/bin/env node
// Counts the cross imports and SQL sites that issue 20 set out to remove, so the before and
// after can be compared with one command: `node scripts/layer-census.cjs [--list]`.
// Imports are read with the TypeScript parser (static, re-exports, import(), require(), import types);
// tests (*.test.ts) are skipped like runtime/layers.test.ts skips them.
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const list = process.argv.includes('--list');
const FOLDERS = ['domain', 'config', 'entities', 'migrations', 'observability', 'ml', 'db', 'store', 'contracts', 'services', 'activities', 'events', 'workflows', 'temporal', 'api', 'runtime', 'cli', 'bench'];

function files(dir) {
  if (!fs.existsSync(path.join(ROOT, dir))) return [];
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return files(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

function imports(file, text) {
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const out = [];
  const visit = (n) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.push(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && n.arguments.length && ts.isStringLiteralLike(n.arguments[0]) && (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))) out.push(n.arguments[0].text);
    else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) out.push(n.argument.literal.text);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out.filter((s) => s.startsWith('.')).map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)));
}

// Same detector idea as runtime/layers.test.ts: query calls, readRows, query builders, SQL literals.
const SQL_CALL = /\.query\s*[<(]|\breadRows\s*[<(]|\.createQueryBuilder\s*\(/;
const SQL_TEXT = /^\s*(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|WITH\s+\w+\s+AS)\b/i;
function hasSql(file, text) {
  if (SQL_CALL.test(text)) return true;
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  let found = false;
  const visit = (n) => {
    if (found) return;
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && SQL_TEXT.test(n.text)) found = true;
    else if (ts.isTemplateExpression(n) && SQL_TEXT.test(n.head.text)) found = true;
    ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

const all = FOLDERS.flatMap(files);
const top = (p) => p.split('/')[0];
const edges = new Map();
const pairs = { 'services -> activities': [], 'activities -> services': [], 'activities -> activities (other file)': [] };
const sqlFiles = [];
for (const file of all) {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const from = top(file);
  for (const target of imports(file, text)) {
    const to = top(target);
    if (from !== to) edges.set(`${from} -> ${to}`, (edges.get(`${from} -> ${to}`) ?? 0) + 1);
    if (from === 'services' && to === 'activities') pairs['services -> activities'].push(`${file} -> ${target}`);
    if (from === 'activities' && to === 'services') pairs['activities -> services'].push(`${file} -> ${target}`);
    if (from === 'activities' && to === 'activities') pairs['activities -> activities (other file)'].push(`${file} -> ${target}`);
  }
  if (!['store', 'migrations'].includes(from) && hasSql(file, text)) sqlFiles.push(file);
}
console.log('Folder imports (import statements per pair):');
for (const [k, v] of [...edges].sort()) console.log(`  ${k}: ${v}`);
for (const [k, v] of Object.entries(pairs)) {
  console.log(`${k}: ${v.length}`);
  if (list) v.forEach((x) => console.log(`    ${x}`));
}
const inScope = sqlFiles.filter((f) => ['services', 'activities', 'workflows', 'domain', 'api', 'events', 'temporal'].includes(top(f)));
console.log(`files with SQL outside store/ and migrations/: ${sqlFiles.length} (services ${sqlFiles.filter((f) => top(f) === 'services').length}, activities ${sqlFiles.filter((f) => top(f) === 'activities').length}, application layers ${inScope.length})`);
if (list) sqlFiles.forEach((x) => console.log(`    ${x}`));
