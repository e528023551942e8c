import fs from 'node:fs';
import path from 'node:path';
import { buildWorkflowBundle, workflowsEntry } from '../temporal/worker';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The worker's workflow bundle as a file beside the compiled code, rebuilt only when workflow
 * code changed: bundling (webpack) costs seconds we do not want on every start.
 */
export async function ensureWorkflowBundle(): Promise<string> {
  const workflowsDir = path.dirname(workflowsEntry());
  const bundlePath = path.join(workflowsDir, '..', 'workflow-bundle.js');
  if (fs.existsSync(bundlePath) && fs.statSync(bundlePath).mtimeMs >= newestMtime(workflowsDir)) return bundlePath;
  await buildWorkflowBundle(bundlePath);
  return bundlePath;
}
