/**
 * `npm run cli -- <command>`. Errors print as one message (no stack) and exit non-zero.
 */
import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createAdmin, CREATE_ADMIN_HELP } from './create-admin';
import { withCliDatabase } from './database';
import { importPricesCommand } from './import-prices';

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  'create-admin': { help: CREATE_ADMIN_HELP, run: createAdmin },
  'import-prices': {
    help: `import-prices <ticker> <file> [--interval 1d]
  Upserts price bars from a CSV/TSV file (comma or tab, optional index column, any row order,
  volume optional); rejected rows are listed with their line numbers. Re-importing is a no-op.
  Database: DATABASE_URL, or the embedded PostgreSQL of "npm start".`,
    run: async (args) => {
      await withCliDatabase(loadConfig(), (_db, databaseUrl) => importPricesCommand(args, { databaseUrl }));
    },
  },
};

async function main(argv: string[]): Promise<void> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command || args.includes('--help')) {
    process.stdout.write(`usage: npm run cli -- <command>\n\n${Object.values(COMMANDS).map((c) => c.help).join('\n\n')}\n`);
    if (!command && name !== '--help' && name !== undefined) process.exitCode = 2;
    return;
  }
  await command.run(args);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
