import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { type Sandbox, type SandboxStats, destroySandbox, enc, extendSandbox, followEvents, json, post, previewAccess, sandbox } from '../api';
import { FileBrowser } from '../components/FileBrowser';
import { StatsChart } from '../components/StatsChart';
import { Terminal } from '../components/Terminal';
import { mayWrite, useCaller } from '../session';
import { ErrorNote, Notice, StateBadge, When, bytes, until, useEvery, useLoad, Table } from '../ui';

const TABS = ['overview', 'terminal', 'files', 'processes', 'logs', 'stats', 'previews'] as const;
type Tab = (typeof TABS)[number];

/** One sandbox: its details and actions, a terminal, its files, processes, logs, stats and previews. */
export function SandboxPage() {
  const { params } = useRoute();
  const id = params.id;
  const caller = useCaller();
  const writable = mayWrite(caller);
  const box = useLoad(() => sandbox(id), [id]);
  const [tab, setTab] = useState<Tab>('overview');

  // the page follows the sandbox's own events: a state change reads it again
  useEffect(
    () =>
      followEvents(
        (event) => {
          if (event.sandbox_id === id) void box.reload();
        },
        () => undefined,
      ),
    [id],
  );

  const running = box.value?.state === 'running';
  return (
    <section>
      <div class="heading">
        <h1 class="mono">{id}</h1>
        {box.value && <StateBadge state={box.value.state} />}
        <a href="/console/">All sandboxes</a>
      </div>
      <ErrorNote error={box.error} />
      {box.value && (
        <>
          <div role="tablist" aria-label="Sandbox" class="tabs">
            {TABS.map((name) => (
              <button
                key={name}
                type="button"
                role="tab"
                id={`tab-${name}`}
                aria-selected={tab === name}
                aria-controls={`panel-${name}`}
                onClick={() => setTab(name)}
                onKeyDown={(e) => {
                  const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                  if (!step) return;
                  const next = TABS[(TABS.indexOf(name) + step + TABS.length) % TABS.length];
                  setTab(next);
                  document.getElementById(`tab-${next}`)?.focus();
                }}
                tabIndex={tab === name ? 0 : -1}
              >
                {name[0].toUpperCase() + name.slice(1)}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tab-panel">
            {tab === 'overview' && <Overview sandbox={box.value} writable={writable} onChanged={(next) => box.setValue(next)} />}
            {tab === 'terminal' &&
              (running && writable ? (
                <Terminal sandboxId={id} />
              ) : (
                <p class="empty">{writable ? 'The terminal needs a running sandbox.' : 'A viewer key may not run commands.'}</p>
              ))}
            {tab === 'files' && (running ? <FileBrowser sandboxId={id} writable={writable} /> : <p class="empty">Files are read from a running sandbox.</p>)}
            {tab === 'processes' && <Processes sandboxId={id} writable={writable} />}
            {tab === 'logs' && <Logs sandboxId={id} />}
            {tab === 'stats' && <Stats sandboxId={id} />}
            {tab === 'previews' && <Previews sandbox={box.value} />}
          </div>
        </>
      )}
    </section>
  );
}

function Overview({ sandbox, writable, onChanged }: { sandbox: Sandbox; writable: boolean; onChanged: (s: Sandbox) => void }) {
  const [ttl, setTtl] = useState('30m');
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const { route } = useLocation();
  const rows: [string, preact.ComponentChildren][] = [
    ['Image', <span class="mono">{sandbox.image}</span>],
    ['Image digest', <span class="mono">{sandbox.image_digest ?? '–'}</span>],
    ['Owner', <span class="mono">{sandbox.owner_id}</span>],
    ['Provider / runtime', `${sandbox.provider} / ${sandbox.runtime ?? 'runc'}${sandbox.certified === false ? ' (uncertified on its host)' : ''}`],
    ['Worker', <span class="mono">{sandbox.worker_id ?? '–'}</span>],
    ['Created', <When at={sandbox.created_at} />],
    [
      'Expires',
      <>
        <When at={sandbox.expires_at} /> ({until(sandbox.expires_at)})
      </>,
    ],
    ['Limits', `${sandbox.vcpus} vCPU · ${sandbox.memory_mb} MiB memory · ${sandbox.disk_mb ?? '–'} MiB disk`],
    ['Disk used', sandbox.disk_used_bytes != null ? bytes(sandbox.disk_used_bytes) : '–'],
    ['Network', sandbox.network ?? '–'],
    ['Previews', sandbox.public_preview ? 'public' : 'need a token'],
    [
      'Labels',
      Object.entries(sandbox.metadata ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(', ') || '–',
    ],
  ];
  if (sandbox.error) rows.push(['Error', sandbox.error]);
  return (
    <div>
      <dl class="details">
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      {writable && (
        <form
          class="toolbar"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              const next = await extendSandbox(sandbox.id, ttl);
              onChanged(next);
              setNotice(`Extended: now expires ${new Date(next.expires_at).toLocaleString()}.`);
            } catch (err) {
              setError(err);
            }
          }}
        >
          <label>
            Extend by
            <input class="short" name="ttl" value={ttl} onInput={(e) => setTtl((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">Extend</button>
          <button
            type="button"
            class="danger"
            onClick={async () => {
              if (!confirm(`Destroy ${sandbox.id}? Its files are gone for good.`)) return;
              try {
                await destroySandbox(sandbox.id);
                route('/console/');
              } catch (err) {
                setError(err);
              }
            }}
          >
            Destroy
          </button>
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error} />
    </div>
  );
}

interface Process {
  pid: number;
  ppid: number;
  user: string;
  command: string;
  state: string;
  rss_bytes?: number;
  agent?: boolean;
}

interface BackgroundProcess {
  id: string;
  command: string;
  state: string;
  exit_code?: number;
  started_at: string;
  output_bytes: number;
}

function Processes({ sandboxId, writable }: { sandboxId: string; writable: boolean }) {
  const base = `/sandboxes/${enc(sandboxId)}`;
  const processes = useLoad(() => json<{ processes: Process[]; truncated: boolean }>(`${base}/processes`), [sandboxId]);
  const background = useLoad(() => json<BackgroundProcess[]>(`${base}/exec/background`), [sandboxId]);
  const [output, setOutput] = useState<{ id: string; text: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEvery(5000, () => void processes.reload(), [sandboxId]);
  return (
    <div>
      <h2>Processes</h2>
      <ErrorNote error={processes.error ?? error} />
      <Table columns={['PID', 'User', 'State', 'Memory', 'Command', writable && 'Actions']}>
        {(processes.value?.processes ?? []).map((p) => (
          <tr key={p.pid}>
            <td>{p.pid}</td>
            <td>{p.user}</td>
            <td>{p.state}</td>
            <td>{bytes(p.rss_bytes)}</td>
            <td class="mono">{p.command}</td>
            {writable && (
              <td>
                {!p.agent && (
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Kill process ${p.pid}`}
                    onClick={() => del(`${base}/processes/${p.pid}?signal=KILL`).then(() => processes.reload(), setError)}
                  >
                    Kill
                  </button>
                )}
              </td>
            )}
          </tr>
        ))}
      </Table>
      <h2>Background commands</h2>
      <ErrorNote error={background.error} />
      {(background.value ?? []).length === 0 && <p class="empty">None started (POST …/exec with "background": true).</p>}
      <ul class="plain">
        {(background.value ?? []).map((b) => (
          <li key={b.id}>
            <code>{b.command}</code> — {b.state}
            {b.exit_code != null ? ` (exit ${b.exit_code})` : ''}, {bytes(b.output_bytes)} of output{' '}
            <button
              type="button"
              onClick={async () => {
                try {
                  const out = await json<{ chunks: { stream: string; data: string }[]; dropped: boolean }>(`${base}/exec/background/${enc(b.id)}/output`);
                  setOutput({ id: b.id, text: (out.dropped ? '(older output dropped)\n' : '') + out.chunks.map((c) => c.data).join('') });
                } catch (e) {
                  setError(e);
                }
              }}
            >
              Output
            </button>
            {writable && b.state === 'running' && (
              <button
                type="button"
                class="danger"
                onClick={() => post(`${base}/exec/background/${enc(b.id)}/signal`, { signal: 'TERM' }).then(() => background.reload(), setError)}
              >
                Stop
              </button>
            )}
          </li>
        ))}
      </ul>
      {output && (
        <pre class="output" aria-label={`Output of ${output.id}`}>
          {output.text}
        </pre>
      )}
    </div>
  );
}

function del(path: string) {
  return json<unknown>(path, { method: 'DELETE' });
}

function Logs({ sandboxId }: { sandboxId: string }) {
  const [lines, setLines] = useState(200);
  const logs = useLoad(() => json<string[]>(`/sandboxes/${enc(sandboxId)}/logs?lines=${lines}`), [sandboxId, lines]);
  return (
    <div>
      <div class="toolbar">
        <label>
          Lines
          <select value={lines} onChange={(e) => setLines(Number((e.target as HTMLSelectElement).value))}>
            {[100, 200, 1000, 10000].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => void logs.reload()}>
          Refresh
        </button>
      </div>
      <ErrorNote error={logs.error} />
      <pre class="output" aria-label="The sandbox's log" data-testid="logs">
        {(logs.value ?? []).join('\n') || '(nothing logged)'}
      </pre>
    </div>
  );
}

function Stats({ sandboxId }: { sandboxId: string }) {
  const [samples, setSamples] = useState<SandboxStats[]>([]);
  const [error, setError] = useState<unknown>(null);
  const sample = () =>
    json<SandboxStats>(`/sandboxes/${enc(sandboxId)}/stats`).then((s) => {
      setSamples((now) => [...now.slice(-119), s]);
      setError(null);
    }, setError);
  useEffect(() => void sample(), [sandboxId]);
  useEvery(2000, () => void sample(), [sandboxId]);
  const last = samples[samples.length - 1];
  return (
    <div>
      <ErrorNote error={error} />
      {last && (
        <p role="status">
          CPU {last.cpu_pct.toFixed(1)}% of one core · memory {bytes(last.mem_bytes)} of {bytes(last.mem_limit_bytes)} · {last.pids} of {last.pids_limit}{' '}
          processes · disk {bytes(last.disk_used_bytes)}
          {last.disk_limit_bytes ? ` of ${bytes(last.disk_limit_bytes)}` : ''} · network in {bytes(last.net_rx_bytes)}, out {bytes(last.net_tx_bytes)}
        </p>
      )}
      <StatsChart samples={samples} />
    </div>
  );
}

function Previews({ sandbox }: { sandbox: Sandbox }) {
  const ports = Object.keys(sandbox.preview_urls ?? {});
  const [open, setOpen] = useState<{ port: string; url: string; expires?: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  if (ports.length === 0) return <p class="empty">This sandbox declared no ports (create it with ports to preview an app in it).</p>;
  const show = async (port: string) => {
    setError(null);
    try {
      if (sandbox.public_preview) {
        setOpen({ port, url: sandbox.preview_urls![port] });
        return;
      }
      // a preview token opens one port for 15 minutes; the router turns it into that preview's cookie
      const access = await previewAccess(sandbox.id, port);
      const url = new URL(access.url);
      url.searchParams.set('preview_token', access.token);
      setOpen({ port, url: url.toString(), expires: access.expires_at });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div>
      <div class="toolbar">
        {ports.map((port) => (
          <button key={port} type="button" onClick={() => void show(port)} aria-pressed={open?.port === port}>
            Port {port}
          </button>
        ))}
      </div>
      <ErrorNote error={error} />
      {open && (
        <div class="preview">
          <p>
            <a href={open.url} target="_blank" rel="noopener noreferrer" data-testid="preview-link">
              Open port {open.port} in a new tab
            </a>
            {open.expires && (
              <>
                {' '}
                · token valid until <When at={open.expires} />
              </>
            )}
          </p>
          {/* its own origin already keeps it from the console; no top navigation keeps it from sending the console's tab elsewhere */}
          <iframe
            title={`Preview of port ${open.port}`}
            src={open.url}
            sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-popups-to-escape-sandbox allow-downloads allow-modals"
            data-testid="preview-frame"
          />
        </div>
      )}
    </div>
  );
}
