import { useState } from 'preact/hooks';
import { del, enc, json } from '../api';
import { ErrorNote, Notice, When, confirmThen, useLoad, Table } from '../ui';

/** What an owner, a key or a tenant holds against its limits (QuotaUsage, ScopeUsage; null: no limit). */
interface Usage {
  active_sandboxes: number;
  max_sandboxes: number | null;
  memory_mb: number;
  max_memory_mb: number | null;
  vcpus: number;
  max_vcpus: number | null;
  disk_mb: number;
  max_disk_mb: number | null;
}

interface OwnerUsage extends Usage {
  owner_id: string;
}

/** An owner's effective quota (QuotaView). */
interface OwnerQuota {
  owner_id: string;
  max_sandboxes: number;
  max_memory_mb: number;
  max_vcpus: number;
  max_disk_mb: number;
  max_ttl: string;
  max_exec_timeout: string;
  requests_per_minute: number;
  source: string;
  updated_at?: string | null;
}

/** A key's or a tenant's limits (ScopeQuotaView; null: no limit). */
interface ScopeQuota {
  scope: 'key' | 'tenant';
  subject: string;
  max_sandboxes: number | null;
  max_memory_mb: number | null;
  max_vcpus: number | null;
  max_disk_mb: number | null;
  requests_per_minute: number | null;
  updated_at?: string | null;
}

interface Overview {
  defaults: OwnerQuota;
  overrides: number;
  owners: OwnerUsage[];
}

type Scope = 'owner' | 'key' | 'tenant';

/** Where PUT and DELETE of a subject's limits go (docs/api.md, operations). */
function limitsPath(scope: Scope, subject: string): string {
  return scope === 'owner' ? `/quotas/${enc(subject)}` : `/quotas/${scope === 'key' ? 'keys' : 'tenants'}/${enc(subject)}`;
}

/** A share of a limit, as a labelled meter; no limit shows the use alone. */
function Share({ used, limit, unit }: { used: number; limit: number | null; unit: string }) {
  if (limit == null)
    return (
      <span class="share">
        {used}
        {unit} (no limit)
      </span>
    );
  return (
    <span class="share">
      <meter min={0} max={Math.max(limit, 1)} value={used} high={limit * 0.8} aria-label={`${used} of ${limit}${unit}`} />
      {used} / {limit}
      {unit}
    </span>
  );
}

function UsageCells({ usage }: { usage: Usage }) {
  return (
    <>
      <td>
        <Share used={usage.active_sandboxes} limit={usage.max_sandboxes} unit="" />
      </td>
      <td>
        <Share used={usage.memory_mb} limit={usage.max_memory_mb} unit=" MiB" />
      </td>
      <td>
        <Share used={usage.vcpus} limit={usage.max_vcpus} unit="" />
      </td>
      <td>
        <Share used={usage.disk_mb} limit={usage.max_disk_mb} unit=" MiB" />
      </td>
    </>
  );
}

/** The limits being set: for whom, and the values the form starts from (those set before, when editing). */
interface Editing {
  scope: Scope;
  subject: string;
  values: Partial<Record<string, string | number | null>>;
}

const NUMBERS = [
  ['max_sandboxes', 'Sandboxes'],
  ['max_memory_mb', 'Memory (MiB)'],
  ['max_vcpus', 'vCPUs'],
  ['max_disk_mb', 'Disk (MiB)'],
  ['requests_per_minute', 'Requests per minute'],
] as const;

/**
 * Sets limits (PUT, replaced whole): an owner's own quota (blank keeps the default), or what all
 * owners of a key or a tenant may hold together (blank: no limit at that scope).
 */
function LimitsForm({
  editing,
  defaults,
  onSaved,
  onCancel,
}: {
  editing: Editing;
  defaults?: OwnerQuota;
  onSaved: (what: string) => void;
  onCancel: () => void;
}) {
  const [scope, setScope] = useState<Scope>(editing.scope);
  const [error, setError] = useState<unknown>(null);
  const blank = scope === 'owner' ? 'default' : 'no limit';
  const save = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    const text = (n: string) => String(form.get(n) ?? '').trim();
    const body: Record<string, unknown> = {};
    for (const [name] of NUMBERS) if (text(name)) body[name] = Number(text(name));
    if (scope === 'owner') for (const name of ['max_ttl', 'max_exec_timeout']) if (text(name)) body[name] = text(name);
    const subject = text('subject');
    setError(null);
    try {
      await json(limitsPath(scope, subject), { method: 'PUT', body: JSON.stringify(body) });
      (e.target as HTMLFormElement).reset();
      setScope('owner');
      onSaved(`Limits of ${scope} ${subject} saved.`);
    } catch (err) {
      setError(err);
    }
  };
  const value = (name: string) => (editing.values[name] == null ? '' : String(editing.values[name]));
  return (
    <form class="panel" aria-label="Set limits" onSubmit={save}>
      <h2>{editing.subject ? `Limits of ${editing.scope} ${editing.subject}` : 'Set limits'}</h2>
      <div class="toolbar wrap">
        <label>
          For
          <select name="scope" value={scope} disabled={!!editing.subject} onChange={(e) => setScope((e.target as HTMLSelectElement).value as Scope)}>
            <option value="owner">an owner (its own quota)</option>
            <option value="key">a key (all its owners together)</option>
            <option value="tenant">a tenant (all its owners together)</option>
          </select>
        </label>
        <label>
          {scope === 'owner' ? 'Owner' : scope === 'key' ? 'Key (tenant:key)' : 'Tenant'}
          <input name="subject" required defaultValue={editing.subject} readOnly={!!editing.subject} placeholder={scope === 'tenant' ? 'acme' : 'acme:ci'} />
        </label>
        {NUMBERS.map(([name, label]) => (
          <label key={name}>
            {label}
            <input
              name={name}
              type="number"
              min={0}
              class="short"
              defaultValue={value(name)}
              placeholder={scope === 'owner' && defaults ? String(defaults[name]) : blank}
            />
          </label>
        ))}
        {scope === 'owner' && (
          <>
            <label>
              Longest TTL
              <input name="max_ttl" class="short" defaultValue={value('max_ttl')} placeholder={defaults?.max_ttl ?? blank} />
            </label>
            <label>
              Longest exec
              <input name="max_exec_timeout" class="short" defaultValue={value('max_exec_timeout')} placeholder={defaults?.max_exec_timeout ?? blank} />
            </label>
          </>
        )}
      </div>
      <p class="hint">The values given replace the old ones whole; a blank field is {blank}.</p>
      <ErrorNote error={error} />
      <div class="toolbar">
        <button type="submit" class="primary">
          Save limits
        </button>
        {editing.subject && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}

/**
 * The limits an owner's override sets, as far as its effective quota shows them: those that differ
 * from the defaults. The form starts from these alone, so that saving it does not pin the defaults
 * of today into the override (a later change of a default reaches the owner still).
 */
function ownLimits(quota: OwnerQuota, defaults: OwnerQuota | undefined): Editing['values'] {
  const fields = ['max_sandboxes', 'max_memory_mb', 'max_vcpus', 'max_disk_mb', 'requests_per_minute', 'max_ttl', 'max_exec_timeout'] as const;
  return Object.fromEntries(fields.filter((field) => !defaults || quota[field] !== defaults[field]).map((field) => [field, quota[field]]));
}

/**
 * Quotas and usage (administrators, GET /api/v1/quotas/...): the default limits; what every owner
 * with live sandboxes holds, the nearest to a limit first; the owners with limits of their own;
 * the keys and tenants with limits on what all their owners hold together, with that usage. Any of
 * them set, edited in place or removed.
 */
export function Quotas() {
  const overview = useLoad(() => json<Overview>('/quotas/overview'), []);
  const overrides = useLoad(() => json<OwnerQuota[]>('/quotas'), []);
  const scopes = useLoad(async () => {
    const list = await json<ScopeQuota[]>('/quotas/scopes');
    const usage = await Promise.all(list.map((s) => json<Usage>(`${limitsPath(s.scope, s.subject)}/usage`)));
    return list.map((limits, i) => ({ limits, usage: usage[i] }));
  }, []);
  const [editing, setEditing] = useState<Editing>({ scope: 'owner', subject: '', values: {} });
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const reload = () => Promise.all([overview.reload(), overrides.reload(), scopes.reload()]);
  const edit = (next: Editing) => {
    setEditing(next);
    setNotice('');
    window.scrollTo({ top: 0 });
  };
  const remove = (scope: Scope, subject: string) =>
    confirmThen(
      scope === 'owner' ? `Give owner ${subject} the default quota again?` : `Remove the limits of ${scope} ${subject}?`,
      () => del(limitsPath(scope, subject)),
      () => {
        setNotice(`Limits of ${scope} ${subject} removed.`);
        return reload();
      },
      setError,
    );
  const d = overview.value?.defaults;
  return (
    <section>
      <h1>Quotas and usage</h1>
      <ErrorNote error={error ?? overview.error ?? overrides.error ?? scopes.error} />
      {notice && <Notice>{notice}</Notice>}
      {d && (
        <p>
          Default per owner: {d.max_sandboxes} sandboxes, {d.max_memory_mb} MiB memory, {d.max_vcpus} vCPUs, {d.max_disk_mb} MiB disk, TTL up to {d.max_ttl},
          execs up to {d.max_exec_timeout}
          {d.requests_per_minute ? `, ${d.requests_per_minute} requests a minute` : ''}. {overview.value!.overrides} owner(s) have limits of their own.
        </p>
      )}
      <LimitsForm
        key={`${editing.scope}/${editing.subject}`}
        editing={editing}
        defaults={d}
        onSaved={(what) => {
          setNotice(what);
          setEditing({ scope: 'owner', subject: '', values: {} });
          void reload();
        }}
        onCancel={() => setEditing({ scope: 'owner', subject: '', values: {} })}
      />

      <h2>Usage per owner</h2>
      <Table columns={['Owner', 'Sandboxes', 'Memory', 'vCPUs', 'Disk']} caption="Owners with live sandboxes, nearest a limit first">
        {(overview.value?.owners ?? []).map((u) => (
          <tr key={u.owner_id} data-owner={u.owner_id}>
            <td class="mono">{u.owner_id}</td>
            <UsageCells usage={u} />
          </tr>
        ))}
      </Table>
      {!overview.loading && (overview.value?.owners ?? []).length === 0 && <p class="empty">No owner has a live sandbox.</p>}

      <h2>Owners with their own limits</h2>
      <Table columns={['Owner', 'Sandboxes', 'Memory', 'vCPUs', 'Disk', 'TTL', 'Exec', 'Per minute', 'Set', 'Actions']} caption="Owners' own quotas">
        {(overrides.value ?? []).map((q) => (
          <tr key={q.owner_id} data-override={q.owner_id}>
            <td class="mono">{q.owner_id}</td>
            <td>{q.max_sandboxes}</td>
            <td>{q.max_memory_mb} MiB</td>
            <td>{q.max_vcpus}</td>
            <td>{q.max_disk_mb} MiB</td>
            <td>{q.max_ttl}</td>
            <td>{q.max_exec_timeout}</td>
            <td>{q.requests_per_minute || 'no limit'}</td>
            <td>
              <When at={q.updated_at} />
            </td>
            <td class="row-actions">
              <button
                type="button"
                aria-label={`Edit the limits of owner ${q.owner_id}`}
                onClick={() => edit({ scope: 'owner', subject: q.owner_id, values: ownLimits(q, d) })}
              >
                Edit
              </button>
              <button type="button" class="danger" aria-label={`Remove the limits of owner ${q.owner_id}`} onClick={() => remove('owner', q.owner_id)}>
                Remove
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {!overrides.loading && (overrides.value ?? []).length === 0 && <p class="empty">Every owner has the default quota.</p>}

      <h2>Keys and tenants</h2>
      <Table
        columns={['Scope', 'Subject', 'Sandboxes', 'Memory', 'vCPUs', 'Disk', 'Per minute', 'Actions']}
        caption="Limits on all owners of a key or a tenant, with their usage"
      >
        {(scopes.value ?? []).map(({ limits, usage }) => (
          <tr key={`${limits.scope}/${limits.subject}`} data-scope={`${limits.scope}/${limits.subject}`}>
            <td>{limits.scope}</td>
            <td class="mono">{limits.subject}</td>
            <UsageCells usage={usage} />
            <td>{limits.requests_per_minute || 'no limit'}</td>
            <td class="row-actions">
              <button
                type="button"
                aria-label={`Edit the limits of ${limits.scope} ${limits.subject}`}
                onClick={() => edit({ scope: limits.scope, subject: limits.subject, values: { ...limits } })}
              >
                Edit
              </button>
              <button
                type="button"
                class="danger"
                aria-label={`Remove the limits of ${limits.scope} ${limits.subject}`}
                onClick={() => remove(limits.scope, limits.subject)}
              >
                Remove
              </button>
            </td>
          </tr>
        ))}
      </Table>
      {!scopes.loading && (scopes.value ?? []).length === 0 && <p class="empty">No key or tenant has limits.</p>}
    </section>
  );
}
