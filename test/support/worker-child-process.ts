import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testEnv } from './stack';

/** Starts test/support/worker-child.ts in a new process and resolves once it polls. */
export async function startWorkerChild(taskQueue: string): Promise<ChildProcess> {
  const env = testEnv();
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'swc-register.js'), path.join(__dirname, 'worker-child.ts')], {
    env: {
      ...process.env,
      TEST_DATABASE_URL: env.databaseUrl,
      TEST_TEMPORAL_ADDRESS: env.temporalAddress,
      TEST_WORKFLOW_BUNDLE: env.workflowBundlePath,
      TASK_QUEUE: taskQueue,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker child not ready in 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (c) => {
      output += c;
      if (output.includes('worker-ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (c) => (output += c));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker child exited (${code}) before it was ready:\n${output}`));
    });
  });
  return child;
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
