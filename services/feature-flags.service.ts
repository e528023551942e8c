import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { FeatureFlag, FeatureFlagAudit } from '../entities';
import { changeFlag, isFeatureEnabled, type FlagKey, type FlagReadOptions } from '../store/feature-flag-store';

const FLAG_KEY = /^[a-z][a-z0-9_]{0,62}$/;

export class FeatureFlagService {
  constructor(private readonly db: DataSource) {}

  list(): Promise<FeatureFlag[]> {
    return this.db.getRepository(FeatureFlag).find({ order: { key: 'ASC' } });
  }

  isEnabled(key: FlagKey, options?: FlagReadOptions): Promise<boolean> {
    return isFeatureEnabled(this.db, key, options);
  }

  /** Upsert on key; the change and its audit row commit together or not at all. */
  async set(key: string, enabled: boolean, description: string | undefined, actorId: string): Promise<FeatureFlag> {
    if (!FLAG_KEY.test(key)) throw new ServiceError('BAD_USER_INPUT', 'flag key must be lower_snake_case, 1-63 characters', { field: 'key' });
    if (description !== undefined && description.length > 500) throw new ServiceError('BAD_USER_INPUT', 'description must be at most 500 characters', { field: 'description' });
    return this.change(key, actorId, (old) => {
      if (!old && description === undefined) return { enabled, description: '' };
      return { enabled, description: description ?? old!.description };
    });
  }

  async toggle(key: string, actorId: string): Promise<FeatureFlag> {
    return this.change(key, actorId, (old) => {
      if (!old) throw new ServiceError('NOT_FOUND', `no feature flag "${key}"`);
      return { enabled: !old.enabled, description: old.description };
    });
  }

  audit(key: string | undefined, first: number): Promise<FeatureFlagAudit[]> {
    if (!Number.isInteger(first) || first < 1 || first > 500) throw new ServiceError('BAD_USER_INPUT', 'first must be 1 to 500', { field: 'first' });
    return this.db.getRepository(FeatureFlagAudit).find({
      where: key ? { flagKey: key } : {},
      order: { changedAt: 'DESC', id: 'DESC' },
      take: first,
    });
  }

  private async change(
    key: string,
    actorId: string,
    next: (old: { enabled: boolean; description: string } | null) => { enabled: boolean; description: string },
  ): Promise<FeatureFlag> {
    await changeFlag(this.db, key, actorId, next);
    return this.db.getRepository(FeatureFlag).findOneByOrFail({ key });
  }
}
