import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testEnv } from './stack';

/** Starts test/support/worker-child.ts in a new process and resolves once it polls. */
export async function startWorkerChild(taskQueue: string, configEnv: Record<string, string> = {}): Promise<ChildProcess> {
  return (await startChild('worker-child.ts', taskQueue, 'worker-ready', configEnv)).child;
}

/** Starts test/support/api-child.ts (a second API replica) and resolves with its GraphQL URL. */
export async function startApiChild(taskQueue: string, configEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; graphqlUrl: string }> {
  const { child, line } = await startChild('api-child.ts', taskQueue, 'api-ready ', configEnv);
  return { child, graphqlUrl: line.slice('api-ready '.length).trim() };
}

async function startChild(script: string, taskQueue: string, readyPrefix: string, configEnv: Record<string, string>): Promise<{ child: ChildProcess; line: string }> {
  const env = testEnv();
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'swc-register.js'), path.join(__dirname, script)], {
    env: {
      ...process.env,
      TEST_DATABASE_URL: env.databaseUrl,
      TEST_TEMPORAL_ADDRESS: env.temporalAddress,
      TEST_WORKFLOW_BUNDLE: env.workflowBundlePath,
      TASK_QUEUE: taskQueue,
      TEST_CHILD_CONFIG_ENV: JSON.stringify(configEnv),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready in 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (c) => {
      output += c;
      const ready = output.split('\n').find((l) => l.startsWith(readyPrefix));
      if (ready) {
        clearTimeout(timer);
        resolve(ready);
      }
    });
    child.stderr!.on('data', (c) => (output += c));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`));
    });
  });
  return { child, line };
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
