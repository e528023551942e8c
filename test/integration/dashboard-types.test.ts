/**
 * The dashboard's GraphQL documents are typed from the server's real schema: a schema change
 * that breaks one of them fails the build. Here the schema is printed as `npm run build:web`
 * prints it, a field the app queries is removed, and the same codegen step must refuse.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');

describe('dashboard types follow the API schema', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-web-types-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function codegen(schemaFile: string): Promise<{ ok: boolean; output: string }> {
    const config = path.join(dir, `codegen-${path.basename(schemaFile, '.graphql')}.yml`);
    const original = fs.readFileSync(path.join(root, 'web', 'codegen.yml'), 'utf8');
    fs.writeFileSync(config, original.replace('schema: web/schema.graphql', `schema: ${schemaFile}`).replace('web/src/gql/:', `${path.join(dir, 'out', path.basename(schemaFile, '.graphql'))}/:`));
    try {
      // Under NODE_ENV=test (jest's) graphql-codegen leaves out the validation details.
      const env = { ...process.env, NODE_ENV: 'development' };
      const { stdout, stderr } = await run(path.join(root, 'node_modules', '.bin', 'graphql-codegen'), ['--config', config, '--errors-only'], { cwd: root, env });
      return { ok: true, output: stdout + stderr };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
  }

  it('generates against the current schema, and refuses a schema without a field the app uses', async () => {
    const current = path.join(dir, 'current.graphql');
    await run(process.execPath, [path.join(root, 'web', 'scripts', 'emit-schema.cjs'), current], { cwd: root });
    const sdl = fs.readFileSync(current, 'utf8');
    expect(sdl).toMatch(/type Signal \{[^}]*\briskLevel: RiskLevel!/);
    const good = await codegen(current);
    expect(good.output).not.toMatch(/Cannot query field/);
    expect(good.ok).toBe(true);

    const broken = path.join(dir, 'broken.graphql');
    fs.writeFileSync(broken, sdl.replace(/(type Signal \{[^}]*?)\n\s*riskLevel: RiskLevel!/, '$1'));
    expect(fs.readFileSync(broken, 'utf8')).not.toMatch(/type Signal \{[^}]*\briskLevel/);
    const bad = await codegen(broken);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/Cannot query field "riskLevel" on type "Signal"/);
  }, 120_000);
});
