import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { type Sandbox, del, enc, json, post } from '../api';

import { mayWrite, useCaller } from '../session';
import { ErrorNote, Notice, When, DangerButton, useLoad, Table } from '../ui';

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
  [field: string]: unknown;
}

/** What a template view holds beyond its request's fields: left out of a PUT. */
const VIEW_ONLY = ['owner_id', 'created_at', 'updated_at'];

/**
 * The caller's templates (/api/v1/templates): each with what it sets, a sandbox from it in one
 * click (POST .../spawn), a new one, editing one in place (PUT, which replaces it whole: the fields
 * this form does not show are sent as they were) and deleting one.
 */
export function Templates() {
  const caller = useCaller();
  const writable = mayWrite(caller);
  const templates = useLoad(() => json<Template[]>('/templates'), []);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [editing, setEditing] = useState<Template | null>(null);
  const { route } = useLocation();
  const shown = (t: Template | null, field: string) =>
    t?.[field] == null ? '' : Array.isArray(t[field]) ? (t[field] as unknown[]).join(', ') : String(t[field]);
  return (
    <section>
      <h1>Templates</h1>
      {writable && (
        <form
          key={editing ? `edit:${editing.name}` : 'new'}
          class="panel toolbar wrap"
          aria-label={editing ? `Edit template ${editing.name}` : 'New template'}
          onSubmit={async (e) => {
            e.preventDefault();
            const form = new FormData(e.target as HTMLFormElement);
            const text = (n: string) => String(form.get(n) ?? '').trim() || undefined;
            const number = (n: string) => (text(n) ? Number(text(n)) : undefined);
            // a blank field is the default: null, so that an edit clears what was set
            const fields = {
              name: text('name'),
              image: text('image') ?? null,
              runtime: text('runtime') ?? null,
              ttl: text('ttl') ?? null,
              memory_mb: number('memory_mb') ?? null,
              vcpus: number('vcpus') ?? null,
              ports:
                text('ports')
                  ?.split(/[\s,]+/)
                  .map(Number) ?? null,
              pool_size: number('pool_size') ?? null,
            };
            setError(null);
            try {
              if (editing) {
                const kept = Object.fromEntries(Object.entries(editing).filter(([field]) => !VIEW_ONLY.includes(field)));
                await json(`/templates/${enc(editing.name)}`, { method: 'PUT', body: JSON.stringify({ ...kept, ...fields }) });
              } else {
                await post('/templates', fields);
              }
              setNotice(`Template ${fields.name} saved.`);
              setEditing(null);
              (e.target as HTMLFormElement).reset();
              await templates.reload();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <label>
            Name
            <input name="name" required placeholder="python-app" defaultValue={shown(editing, 'name')} readOnly={!!editing} />
          </label>
          <label>
            Image
            <input name="image" placeholder="stacyvm/base:bookworm" defaultValue={shown(editing, 'image')} />
          </label>
          <label>
            Runtime
            {/* a select has no default value of its own: the template's option is the selected one */}
            <select name="runtime">
              {[
                ['', 'default (runc)'],
                ['runc', 'runc'],
                ['runsc', 'runsc'],
              ].map(([value, label]) => (
                <option key={value} value={value} selected={shown(editing, 'runtime') === value}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Time to live
            <input name="ttl" class="short" placeholder="30m" defaultValue={shown(editing, 'ttl')} />
          </label>
          <label>
            Memory (MiB)
            <input name="memory_mb" type="number" min={64} class="short" placeholder="512" defaultValue={shown(editing, 'memory_mb')} />
          </label>
          <label>
            vCPUs
            <input name="vcpus" type="number" min={1} class="short" placeholder="1" defaultValue={shown(editing, 'vcpus')} />
          </label>
          <label>
            Preview ports
            <input name="ports" class="short" placeholder="3000" defaultValue={shown(editing, 'ports')} />
          </label>
          <label>
            Warm pool
            <input name="pool_size" type="number" min={0} class="short" placeholder="0" defaultValue={shown(editing, 'pool_size')} />
          </label>
          <button type="submit" class="primary">
            Save template
          </button>
          {editing && (
            <button type="button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          )}
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
                  aria-label={`Edit ${t.name}`}
                  onClick={() => {
                    setNotice('');
                    setEditing(t);
                    window.scrollTo({ top: 0 });
                  }}
                >
                  Edit
                </button>
                <DangerButton
                  label={`Delete ${t.name}`}
                  question={`Delete template ${t.name}?`}
                  action={() => del(`/templates/${enc(t.name)}`)}
                  done={() => {
                    setNotice(`Template ${t.name} deleted.`);
                    return templates.reload();
                  }}
                  failed={setError}
                >
                  Delete
                </DangerButton>
              </td>
            )}
          </tr>
        ))}
      </Table>
      {!templates.loading && (templates.value ?? []).length === 0 && <p class="empty">No templates yet.</p>}
    </section>
  );
}
