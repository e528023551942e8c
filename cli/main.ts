/**
 * `npm run cli -- <command>`. Errors print as one message (no stack) and exit non-zero.
 */
import 'reflect-metadata';
import { createAdmin, CREATE_ADMIN_HELP } from './create-admin';

const COMMANDS: Record<string, { help: string; run: (args: string[]) => Promise<void> }> = {
  'create-admin': { help: CREATE_ADMIN_HELP, run: createAdmin },
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
