import { json } from '../api';
import { mayOperate, useCaller } from '../session';
import { ErrorNote, When, useLoad, Table } from '../ui';

interface Certification {
  worker_id: string;
  provider: string;
  runtime: string;
  state: string;
  report?: string | null;
  certified_at?: string | null;
}

interface Provider {
  name: string;
  default: boolean;
  healthy: boolean;
  workers: number;
  capabilities?: string[];
  certifications?: Certification[];
}

interface Worker {
  id: string;
  status: string;
  endpoint: string;
  providers: string[];
  runtimes?: string[];
  certified?: string[];
  sandboxes: number;
  capacity: number;
  last_heartbeat: string;
  host?: { memory_mb: number; vcpus: number; disk_mb: number } | null;
  used?: { memory_mb: number; vcpus: number; disk_mb: number } | null;
}

/**
 * The providers with their certification on each worker's host (GET /api/v1/providers, any key),
 * and for operators and administrators the workers (GET /api/v1/workers).
 */
export function Infrastructure() {
  const caller = useCaller();
  const providers = useLoad(() => json<Provider[]>('/providers'), []);
  const workers = useLoad(() => (mayOperate(caller) ? json<Worker[]>('/workers') : Promise.resolve(null)), [caller.role]);
  return (
    <section>
      <h1>Workers &amp; providers</h1>
      <h2>Providers</h2>
      <ErrorNote error={providers.error} />
      <Table columns={['Provider', 'Health', 'Workers', 'Certification (worker · runtime · state)']}>
        {(providers.value ?? []).map((p) => (
          <tr key={p.name} data-provider={p.name}>
            <td>
              {p.name}
              {p.default && <span class="badge">default</span>}
            </td>
            <td>
              <span class={`badge ${p.healthy ? 'ok' : 'bad'}`}>{p.healthy ? 'healthy' : 'unavailable'}</span>
            </td>
            <td>{p.workers}</td>
            <td>
              <ul class="plain">
                {(p.certifications ?? []).map((c) => (
                  <li key={`${c.worker_id}/${c.runtime}`}>
                    <span class="mono">{c.worker_id}</span> · {c.runtime} · <span class={`badge cert-${c.state}`}>{c.state}</span>
                    {c.certified_at && (
                      <>
                        {' '}
                        <When at={c.certified_at} />
                      </>
                    )}
                    {c.report && <small class="mono"> {c.report}</small>}
                  </li>
                ))}
              </ul>
            </td>
          </tr>
        ))}
      </Table>
      {mayOperate(caller) && (
        <>
          <h2>Workers</h2>
          <ErrorNote error={workers.error} />
          <Table columns={['Worker', 'Status', 'Sandboxes', 'Providers · runtimes', 'Certified', 'Memory used', 'Heartbeat']}>
            {(workers.value ?? []).map((w) => (
              <tr key={w.id} data-worker={w.id}>
                <td class="mono">
                  {w.id}
                  <br />
                  <small>{w.endpoint}</small>
                </td>
                <td>
                  <span class={`badge worker-${w.status}`}>{w.status}</span>
                </td>
                <td>
                  {w.sandboxes} of {w.capacity}
                </td>
                <td>
                  {w.providers.join(', ')} · {(w.runtimes ?? []).join(', ')}
                </td>
                <td>{(w.certified ?? []).join(', ') || 'none'}</td>
                <td>{w.host && w.used ? `${w.used.memory_mb} of ${w.host.memory_mb} MiB` : '–'}</td>
                <td>
                  <When at={w.last_heartbeat} />
                </td>
              </tr>
            ))}
          </Table>
        </>
      )}
    </section>
  );
}
