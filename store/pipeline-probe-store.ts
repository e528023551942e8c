/** Pipeline probes as stored (pipeline_probes). */
import type { DataSource } from 'typeorm';
import { publishEvent } from '../events/publish';
import { ALL_KEY, Topic } from '../events/topics';

/** Marks the probe COMPLETED by `completedBy` and announces it, once: a repeat changes nothing. */
export async function completePipelineProbe(db: DataSource, probeId: string, completedBy: string): Promise<void> {
  await db.transaction(async (tx) => {
    const rows: Array<{ id: string }> = await tx.query(
      `UPDATE pipeline_probes SET status = 'COMPLETED', completed_at = now(), completed_by = $2
       WHERE id = $1 AND status <> 'COMPLETED' RETURNING id`,
      [probeId, completedBy],
    );
    // UPDATE … RETURNING through TypeORM yields [rows, count].
    const updated = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : rows.length;
    if (updated > 0) await publishEvent(tx, Topic.PIPELINE_PROBE_COMPLETED, ALL_KEY, { id: probeId });
  });
}
