import { useState } from 'preact/hooks';
import { type CreateSandbox, type Sandbox, createSandbox, json } from '../api';
import { ErrorNote, useLoad } from '../ui';

/**
 * Every field of POST /api/v1/sandboxes (CreateSandboxRequest), each empty by default with the
 * gateway's default shown as its placeholder: an empty field sends nothing, so the gateway (or the
 * template) decides, as it would for the API.
 */
export function CreateSandboxForm({ onCreated, onCancel }: { onCreated: (sandbox: Sandbox) => void; onCancel: () => void }) {
  const templates = useLoad(() => json<{ name: string; image?: string }[]>('/templates'), []);
  const providers = useLoad(() => json<{ name: string; default: boolean; healthy: boolean }[]>('/providers'), []);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.target as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const number = (name: string) => (text(name) ? Number(text(name)) : undefined);
    let body: CreateSandbox;
    try {
      body = {
        image: text('image') || undefined,
        template: text('template') || undefined,
        provider: text('provider') || undefined,
        runtime: text('runtime') || undefined,
        ttl: text('ttl') || undefined,
        memory_mb: number('memory_mb'),
        vcpus: number('vcpus'),
        disk_mb: number('disk_mb'),
        pids_limit: number('pids_limit'),
        network: text('network') || undefined,
        ports: text('ports')
          ? text('ports')
              .split(/[\s,]+/)
              .map(Number)
          : undefined,
        public_preview: form.get('public_preview') ? true : undefined,
        read_only_root: form.get('read_only_root') ? true : undefined,
        pull_policy: text('pull_policy') || undefined,
        env: pairs(text('env'), 'Environment'),
        metadata: pairs(text('metadata'), 'Labels'),
        worker_labels: pairs(text('worker_labels'), 'Worker labels'),
        network_policy: policy(text('network_policy')),
        owner_id: text('owner_id') || undefined,
      };
    } catch (e) {
      setError(e);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      onCreated(await createSandbox(body));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="panel create" onSubmit={submit} aria-labelledby="create-title">
      <h2 id="create-title">New sandbox</h2>
      <p class="hint">Empty fields take the default shown (or the template's).</p>
      <div class="grid">
        <Field name="image" label="Image" placeholder="stacyvm/base:bookworm" />
        <label>
          Template
          <select name="template">
            <option value="">none</option>
            {(templates.value ?? []).map((t) => (
              <option key={t.name} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Provider
          <select name="provider">
            <option value="">default</option>
            {(providers.value ?? []).map((p) => (
              <option key={p.name} value={p.name} disabled={!p.healthy}>
                {p.name}
                {p.default ? ' (default)' : ''}
                {p.healthy ? '' : ' (unavailable)'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Runtime
          <select name="runtime">
            <option value="">default (runc)</option>
            <option value="runc">runc</option>
            <option value="runsc">runsc (gVisor, no network)</option>
          </select>
        </label>
        <Field name="ttl" label="Time to live" placeholder="30m" />
        <Field name="memory_mb" label="Memory (MiB)" placeholder="512" type="number" />
        <Field name="vcpus" label="vCPUs" placeholder="1" type="number" />
        <Field name="disk_mb" label="Disk (MiB)" placeholder="10240" type="number" />
        <Field name="pids_limit" label="Process limit" placeholder="256" type="number" />
        <label>
          Network
          <select name="network">
            <option value="">default (bridge with ports, else none)</option>
            <option value="none">none</option>
            <option value="bridge">bridge</option>
          </select>
        </label>
        <Field name="ports" label="Preview ports" placeholder="3000, 8080" />
        <label>
          Pull policy
          <select name="pull_policy">
            <option value="">default (if-not-present)</option>
            <option value="if-not-present">if-not-present</option>
            <option value="always">always</option>
            <option value="never">never</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="public_preview" /> Public previews (no token)
        </label>
        <label class="check">
          <input type="checkbox" name="read_only_root" /> Read-only root filesystem
        </label>
        <label class="wide">
          Environment (NAME=value, a line each)
          <textarea name="env" rows={2} />
        </label>
        <label class="wide">
          Labels (key=value, a line each)
          <textarea name="metadata" rows={2} />
        </label>
        <label class="wide">
          Place only on workers labelled (key=value, a line each)
          <textarea name="worker_labels" rows={2} />
        </label>
        <label class="wide">
          Egress policy of a bridge network (JSON, docs/security.md; empty: the template's or the tenant's)
          <textarea name="network_policy" rows={3} class="mono" placeholder='{"default_egress": "deny", "allow": ["pypi.org"]}' />
        </label>
        <Field name="owner_id" label="For end user (owner_id)" placeholder="your key's own namespace" />
      </div>
      <ErrorNote error={error} />
      <ErrorNote error={templates.error ?? providers.error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Field({ name, label, placeholder, type = 'text' }: { name: string; label: string; placeholder: string; type?: 'text' | 'number' }) {
  return (
    <label>
      {label}
      {type === 'number' ? <input name={name} type="number" min={1} placeholder={placeholder} /> : <input name={name} type="text" placeholder={placeholder} />}
    </label>
  );
}

/** The egress policy as JSON; empty → undefined (the default); anything but a JSON object is refused here. */
function policy(text: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`Egress policy: not JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('Egress policy: a JSON object is expected');
  return value as Record<string, unknown>;
}

/** "A=1\nB=2" → {A: "1", B: "2"}; empty → undefined. */
function pairs(text: string, what: string): Record<string, string> | undefined {
  if (!text) return undefined;
  const map: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) throw new Error(`${what}: "${line}" is not name=value`);
    map[line.slice(0, at)] = line.slice(at + 1);
  }
  return map;
}
