import { json } from '../api';
import { ErrorNote, useLoad, Table } from '../ui';

interface Usage {
  owner_id: string;
  active_sandboxes: number;
  max_sandboxes: number;
  memory_mb: number;
  max_memory_mb: number;
  vcpus: number;
  max_vcpus: number;
  disk_mb: number;
  max_disk_mb: number;
}

interface Overview {
  defaults: { max_sandboxes: number; max_memory_mb: number; max_vcpus: number; max_disk_mb: number; max_ttl: string; max_exec_timeout: string };
  overrides: number;
  owners: Usage[];
}

/** A share of a limit, as a labelled meter. */
function Share({ used, limit, unit }: { used: number; limit: number; unit: string }) {
  return (
    <span class="share">
      <meter min={0} max={Math.max(limit, 1)} value={used} high={limit * 0.8} aria-label={`${used} of ${limit}${unit}`} />
      {used} / {limit}
      {unit}
    </span>
  );
}

/**
 * Quotas and usage (administrators: GET /api/v1/quotas/overview): the default limits, how many
 * owners have their own, and what every owner with live sandboxes holds against its limits, the
 * nearest to a limit first.
 */
export function Quotas() {
  const overview = useLoad(() => json<Overview>('/quotas/overview'), []);
  const d = overview.value?.defaults;
  return (
    <section>
      <h1>Quotas and usage</h1>
      <ErrorNote error={overview.error} />
      {d && (
        <p>
          Default per owner: {d.max_sandboxes} sandboxes, {d.max_memory_mb} MiB memory, {d.max_vcpus} vCPUs, {d.max_disk_mb} MiB disk, TTL up to{' '}
          {d.max_ttl}, execs up to {d.max_exec_timeout}. {overview.value!.overrides} owner(s) have limits of their own (PUT
          /api/v1/quotas/&#123;owner&#125;).
        </p>
      )}
      <Table columns={['Owner', 'Sandboxes', 'Memory', 'vCPUs', 'Disk']}>
        {(overview.value?.owners ?? []).map((u) => (
          <tr key={u.owner_id} data-owner={u.owner_id}>
            <td class="mono">{u.owner_id}</td>
            <td>
              <Share used={u.active_sandboxes} limit={u.max_sandboxes} unit="" />
            </td>
            <td>
              <Share used={u.memory_mb} limit={u.max_memory_mb} unit=" MiB" />
            </td>
            <td>
              <Share used={u.vcpus} limit={u.max_vcpus} unit="" />
            </td>
            <td>
              <Share used={u.disk_mb} limit={u.max_disk_mb} unit=" MiB" />
            </td>
          </tr>
        ))}
      </Table>
      {!overview.loading && (overview.value?.owners ?? []).length === 0 && <p class="empty">No owner has a live sandbox.</p>}
    </section>
  );
}
