import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type Sandbox, del, enc, json, post } from '../api';
import { mayWrite, useCaller } from '../session';
import { ErrorNote, Notice, When, confirmThen, useLoad, Table } from '../ui';

interface Template {
  name: string;
  image?: string | null;
  runtime?: string | null;
  ttl?: string | null;
  memory_mb?: number | null;
  vcpus?: number | null;
  ports?: number[] | null;
  pool_size?: number | null;
  owner_id: string;
  updated_at: string;
}

/**
 * The caller's templates (/api/v1/templates): each with what it sets, a sandbox from it in one
 * click (POST .../spawn), a new one, and deleting one.
 */
export function Templates() {
  const caller = useCaller();
  const writable = mayWrite(caller);
  const templates = useLoad(() => json<Template[]>('/templates'), []);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const { route } = useLocation();
  return (
    <section>
      <h1>Templates</h1>
      {writable && (
        <form
          class="panel toolbar wrap"
          aria-label="New template"
          onSubmit={async (e) => {
            e.preventDefault();
            const form = new FormData(e.target as HTMLFormElement);
            const text = (n: string) => String(form.get(n) ?? '').trim() || undefined;
            const number = (n: string) => (text(n) ? Number(text(n)) : undefined);
            setError(null);
            try {
              await post('/templates', {
                name: text('name'),
                image: text('image'),
                runtime: text('runtime'),
                ttl: text('ttl'),
                memory_mb: number('memory_mb'),
                vcpus: number('vcpus'),
                ports: text('ports')?.split(/[\s,]+/).map(Number),
                pool_size: number('pool_size'),
              });
              setNotice(`Template ${text('name')} saved.`);
              (e.target as HTMLFormElement).reset();
              await templates.reload();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <label>
            Name
            <input name="name" required placeholder="python-app" />
          </label>
          <label>
            Image
            <input name="image" placeholder="stacyvm/base:bookworm" />
          </label>
          <label>
            Runtime
            <select name="runtime">
              <option value="">default (runc)</option>
              <option value="runc">runc</option>
              <option value="runsc">runsc</option>
            </select>
          </label>
          <label>
            Time to live
            <input name="ttl" class="short" placeholder="30m" />
          </label>
          <label>
            Memory (MiB)
            <input name="memory_mb" type="number" min={64} class="short" placeholder="512" />
          </label>
          <label>
            vCPUs
            <input name="vcpus" type="number" min={1} class="short" placeholder="1" />
          </label>
          <label>
            Preview ports
            <input name="ports" class="short" placeholder="3000" />
          </label>
          <label>
            Warm pool
            <input name="pool_size" type="number" min={0} class="short" placeholder="0" />
          </label>
          <button type="submit" class="primary">
            Save template
          </button>
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error ?? templates.error} />
      <Table columns={['Template', 'Image', 'Runtime', 'TTL', 'Shape', 'Ports', 'Warm', 'Saved', writable && 'Actions']}>
        {(templates.value ?? []).map((t) => (
          <tr key={t.name} data-template={t.name}>
            <td>{t.name}</td>
            <td class="mono">{t.image ?? 'default'}</td>
            <td>{t.runtime ?? 'runc'}</td>
            <td>{t.ttl ?? 'default'}</td>
            <td>
              {t.vcpus ?? 'default'} vCPU · {t.memory_mb ?? 'default'} MiB
            </td>
            <td>{(t.ports ?? []).join(', ') || '–'}</td>
            <td>{t.pool_size ?? 0}</td>
            <td>
              <When at={t.updated_at} />
            </td>
            {writable && (
              <td class="row-actions">
                <button
                  type="button"
                  aria-label={`New sandbox from ${t.name}`}
                  onClick={async () => {
                    try {
                      const sandbox = await post<Sandbox>(`/templates/${enc(t.name)}/spawn`, {});
                      route(`/console/sandboxes/${sandbox.id}`);
                    } catch (err) {
                      setError(err);
                    }
                  }}
                >
                  Spawn
                </button>
                <button
                  type="button"
                  class="danger"
                  aria-label={`Delete ${t.name}`}
                  onClick={() =>
                    confirmThen(
                      `Delete template ${t.name}?`,
                      () => del(`/templates/${enc(t.name)}`),
                      () => {
                        setNotice(`Template ${t.name} deleted.`);
                        return templates.reload();
                      },
                      setError,
                    )
                  }
                >
                  Delete
                </button>
              </td>
            )}
          </tr>
        ))}
      </Table>
      {!templates.loading && (templates.value ?? []).length === 0 && <p class="empty">No templates yet.</p>}
    </section>
  );
}
