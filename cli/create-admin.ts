import readline from 'node:readline';
import { loadConfig } from '../config/config';
import { Role } from '../entities';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { withCliDatabase } from './database';

export const CREATE_ADMIN_HELP = `create-admin --email <email> [--key-name <name>]

  Creates an ADMIN user and prints one API key for it, once (it is stored only as a hash).
  Password: from TIDINGS_ADMIN_PASSWORD, else asked for on the terminal (not echoed).
  Database: DATABASE_URL when set. Otherwise the embedded PostgreSQL that "npm start" uses
  (TIDINGS_DATA_DIR, default ./.data, port EMBEDDED_PG_PORT): if "npm start" is running it is
  used as is; if not, it is started for the duration of this command and stopped after.`;

function askHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('no password: set TIDINGS_ADMIN_PASSWORD or run on a terminal');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo nothing after the question while the password is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith(question)) process.stdout.write(s);
  };
  return new Promise((resolve) => rl.question(question, (answer) => (rl.close(), process.stdout.write('\n'), resolve(answer))));
}

export async function createAdmin(args: string[]): Promise<void> {
  const email = valueOf(args, '--email');
  if (!email) throw new Error(`--email is required\n\n${CREATE_ADMIN_HELP}`);
  const keyName = valueOf(args, '--key-name') ?? 'bootstrap';
  const config = loadConfig();
  const password = process.env.TIDINGS_ADMIN_PASSWORD ?? (await askHidden('Password for the new admin: '));
  await withCliDatabase(config, async (db) => {
    const user = await new UserService(db).create(email, password, Role.ADMIN);
    const { key } = await new ApiKeyService(db).create(user.id, keyName, null);
    process.stdout.write(`Created admin ${user.email} (${user.id}).\nAPI key (shown once, store it now):\n${key}\n`);
  });
}

function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${flag}=`));
  return eq?.slice(flag.length + 1);
}
