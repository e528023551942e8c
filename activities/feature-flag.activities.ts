import type { DataSource } from 'typeorm';
import { isFeatureEnabled, type FlagKey } from '../store/feature-flag-store';

export function featureFlagActivities(db: DataSource) {
  return {
    /** Workflows ask through this activity so flag reads stay out of deterministic code. */
    async readFeatureFlags(keys: FlagKey[]): Promise<Partial<Record<FlagKey, boolean>>> {
      return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await isFeatureEnabled(db, k)] as const)));
    },
  };
}
