import type { PoolClient } from 'pg';

/**
 * Marks running sweeps without open trials completed (and reopens a completed sweep whose trial was
 * started again). Returns the ids of sweeps completed now.
 */
export async function settleSweeps(client: PoolClient, sweepIds: readonly string[]): Promise<string[]> {
  if (sweepIds.length === 0) return [];
  const { rows } = await client.query<{ id: string; status: string }>(
    `WITH open AS (
       SELECT s.id, EXISTS (
         SELECT 1 FROM trials t WHERE t.sweep_id = s.id AND t.status IN ('queued', 'running', 'paused')
       ) AS has_open
       FROM sweeps s WHERE s.id = ANY($1::text[]) AND s.status IN ('running', 'completed')
     )
     UPDATE sweeps s SET
       status = CASE WHEN open.has_open THEN 'running' ELSE 'completed' END,
       completed_at = CASE WHEN open.has_open THEN NULL ELSE now() END
     FROM open
     WHERE s.id = open.id AND s.status <> CASE WHEN open.has_open THEN 'running' ELSE 'completed' END
     RETURNING s.id, s.status`,
    [sweepIds],
  );
  return rows.filter((r) => r.status === 'completed').map((r) => r.id);
}
