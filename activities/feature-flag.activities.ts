import type { DataSource } from 'typeorm';
import { readFlags } from '../services/feature-flags.service';

export function featureFlagActivities(db: DataSource) {
  return {
    /** Workflows ask through this activity so flag reads stay out of deterministic code. */
    async readFeatureFlags(keys: string[]): Promise<Record<string, boolean>> {
      const flags = await readFlags(db);
      return Object.fromEntries(keys.map((k) => [k, flags.get(k) ?? false]));
    },
  };
}
