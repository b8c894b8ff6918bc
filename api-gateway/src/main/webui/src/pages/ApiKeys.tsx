import { useState } from 'preact/hooks';
import { del, json, post } from '../api';
import { ErrorNote, Notice, When, DangerButton, useLoad, Table } from '../ui';

interface ApiKey {
  id: string;
  name: string;
  tenant: string;
  role: string;
  created_at: string;
  revoked_at?: string | null;
  key?: string;
}

/**
 * API keys (administrators: /api/v1/admin/api-keys): every key with its tenant and role, a new
 * one (its secret shown once, as the API answers it once), and revoking one, which ends its open
 * sessions at once.
 */
export function ApiKeys() {
  const keys = useLoad(() => json<ApiKey[]>('/admin/api-keys'), []);
  const [created, setCreated] = useState<ApiKey | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  return (
    <section>
      <h1>API keys</h1>
      <form
        class="panel toolbar"
        aria-labelledby="new-key"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = new FormData(e.target as HTMLFormElement);
          setError(null);
          setNotice('');
          try {
            const key = await post<ApiKey>('/admin/api-keys', {
              name: String(form.get('name') ?? '').trim(),
              tenant: String(form.get('tenant') ?? '').trim(),
              role: String(form.get('role') ?? 'user'),
            });
            setCreated(key);
            (e.target as HTMLFormElement).reset();
            await keys.reload();
          } catch (err) {
            setError(err);
          }
        }}
      >
        <h2 id="new-key" class="visually-hidden">
          New key
        </h2>
        <label>
          Name
          <input name="name" required placeholder="ci-bot" />
        </label>
        <label>
          Tenant
          <input name="tenant" required placeholder="default" />
        </label>
        <label>
          Role
          <select name="role">
            <option value="user">user</option>
            <option value="viewer">viewer</option>
            <option value="operator">operator</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" class="primary">
          Create key
        </button>
      </form>
      {created?.key && (
        <div class="notice" role="status" data-testid="new-key">
          Key <strong>{created.name}</strong> of {created.tenant} ({created.role}): <code>{created.key}</code> — copy it now, it is never shown again.
        </div>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error ?? keys.error} />
      <Table columns={['Name', 'Tenant', 'Role', 'Created', 'State', 'Actions']}>
        {(keys.value ?? []).map((key) => (
          <tr key={key.id} data-key={key.name}>
            <td>
              {key.name} <small class="mono">{key.id}</small>
            </td>
            <td>{key.tenant}</td>
            <td>
              <span class={`badge role-${key.role}`}>{key.role}</span>
            </td>
            <td>
              <When at={key.created_at} />
            </td>
            <td>
              {key.revoked_at ? (
                <>
                  revoked <When at={key.revoked_at} />
                </>
              ) : (
                'valid'
              )}
            </td>
            <td>
              {!key.revoked_at && (
                <DangerButton
                  label={`Revoke ${key.name} of ${key.tenant}`}
                  question={`Revoke ${key.tenant}/${key.name}? Every call and session with it ends now.`}
                  action={() => del(`/admin/api-keys/${encodeURIComponent(key.id)}`)}
                  done={() => {
                    setNotice(`Revoked ${key.tenant}/${key.name}.`);
                    setCreated(null);
                    return keys.reload();
                  }}
                  failed={setError}
                >
                  Revoke
                </DangerButton>
              )}
            </td>
          </tr>
        ))}
      </Table>
    </section>
  );
}
