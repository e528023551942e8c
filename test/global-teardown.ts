import fs from 'node:fs';
import type { EmbeddedPostgres } from '../runtime/embedded-postgres';
import type { TemporalDevServer } from '../runtime/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__TIDINGS_TEST__ as
    | { postgres: EmbeddedPostgres; temporal: TemporalDevServer; workDir: string }
    | undefined;
  if (!state) return;
  await state.temporal.stop();
  await state.postgres.stop();
  fs.rmSync(state.workDir, { recursive: true, force: true });
}
