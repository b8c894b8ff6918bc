import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, type Sandbox, destroySandbox, extendSandbox, followEvents, sandbox, sandboxes } from '../api';
import { mayWrite, useCaller } from '../session';
import { ErrorNote, Notice, StateBadge, until, useLoad } from '../ui';
import { CreateSandboxForm } from './CreateSandboxForm';

const STATES = ['creating', 'running', 'unhealthy', 'expired', 'destroying', 'error'];

/**
 * Every sandbox the caller may see (its own; an operator's tenant's; every one for an
 * administrator), kept live by the event stream: a state change updates its row at once, and the
 * row is then read again for the fields an event does not carry.
 */
export function SandboxList() {
  const caller = useCaller();
  const list = useLoad(sandboxes, []);
  const [live, setLive] = useState(false);
  const [query, setQuery] = useState('');
  const [state, setState] = useState('');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const [ttl, setTtl] = useState('30m');
  const [, setTick] = useState(0);

  useEffect(
    () =>
      followEvents((event) => {
        // sandbox.created, .running, .destroyed, ... each carry the state it moved to
        const to = typeof event.data?.to_state === 'string' ? event.data.to_state : '';
        if (!to) return;
        list.setValue((rows) => {
          if (!rows) return rows;
          if (to === 'destroyed') return rows.filter((row) => row.id !== event.sandbox_id);
          return rows.some((row) => row.id === event.sandbox_id) ? rows.map((row) => (row.id === event.sandbox_id ? { ...row, state: to } : row)) : rows;
        });
        sandbox(event.sandbox_id)
          .then((fresh) =>
            list.setValue((rows) => {
              const others = (rows ?? []).filter((row) => row.id !== fresh.id);
              return fresh.state === 'destroyed' ? others : [fresh, ...others].sort(newestFirst);
            }),
          )
          .catch(() => undefined); // gone already: the destroyed event removes it
      }, setLive),
    [],
  );
  // the expiry column counts down
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), 15_000);
    return () => clearInterval(timer);
  }, []);

  const rows = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return (list.value ?? [])
      .filter((row) => !state || row.state === state)
      .filter(
        (row) =>
          !needle ||
          [row.id, row.image, row.owner_id, row.worker_id ?? '', row.runtime ?? '', ...Object.entries(row.metadata ?? {}).flat()]
            .join(' ')
            .toLowerCase()
            .includes(needle),
      )
      .sort(newestFirst);
  }, [list.value, query, state]);

  const writable = mayWrite(caller);
  const chosen = rows.filter((row) => selected.has(row.id));
  const toggle = (id: string) =>
    setSelected((now) => {
      const next = new Set(now);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  /** Runs `action` on every chosen sandbox; says how many it did, and the first refusal. */
  const bulk = async (verb: string, action: (row: Sandbox) => Promise<unknown>) => {
    setBusy(true);
    setNotice('');
    let done = 0;
    let refusal: unknown = null;
    for (const row of chosen) {
      try {
        await action(row);
        done++;
      } catch (e) {
        refusal ??= e instanceof ApiError ? new ApiError(e.status, e.code, `${row.id}: ${e.message}`) : e;
      }
    }
    setBusy(false);
    setSelected(new Set());
    setNotice(`${done} of ${chosen.length} ${chosen.length === 1 ? 'sandbox' : 'sandboxes'} ${verb}.`);
    list.setError(refusal);
    await list.reload();
  };

  return (
    <section>
      <div class="heading">
        <h1>Sandboxes</h1>
        <span class={`live ${live ? 'on' : 'off'}`} title="Updates from GET /api/v1/events">
          {live ? 'live' : 'reconnecting…'}
        </span>
        {writable && (
          <button type="button" class="primary" onClick={() => setCreating(!creating)} aria-expanded={creating}>
            New sandbox
          </button>
        )}
      </div>
      {creating && (
        <CreateSandboxForm
          onCreated={(created) => {
            setCreating(false);
            setNotice(`Sandbox ${created.id} is ${created.state}.`);
            list.setValue((now) => [created, ...(now ?? []).filter((row) => row.id !== created.id)]);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <div class="toolbar" role="search">
        <label>
          Search
          <input type="search" value={query} placeholder="id, image, owner, worker, label" onInput={(e) => setQuery((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setState((e.target as HTMLSelectElement).value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        {writable && (
          <div class="bulk" aria-label="With the selected sandboxes">
            <label>
              Extend by
              <input class="short" value={ttl} onInput={(e) => setTtl((e.target as HTMLInputElement).value)} />
            </label>
            <button type="button" disabled={busy || chosen.length === 0} onClick={() => bulk('extended', (row) => extendSandbox(row.id, ttl))}>
              Extend {chosen.length || ''}
            </button>
            <button
              type="button"
              class="danger"
              disabled={busy || chosen.length === 0}
              onClick={() =>
                confirm(`Destroy ${chosen.length} sandbox(es)? Their files are gone for good.`) && bulk('destroyed', (row) => destroySandbox(row.id))
              }
            >
              Destroy {chosen.length || ''}
            </button>
          </div>
        )}
      </div>
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={list.error} onDismiss={() => list.setError(null)} />
      <div class="table-wrap">
        <table class="sandboxes">
          <caption class="visually-hidden">Sandboxes, newest first</caption>
          <thead>
            <tr>
              {writable && (
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select every sandbox shown"
                    checked={rows.length > 0 && chosen.length === rows.length}
                    onChange={(e) => setSelected((e.target as HTMLInputElement).checked ? new Set(rows.map((row) => row.id)) : new Set())}
                  />
                </th>
              )}
              <th scope="col">Sandbox</th>
              <th scope="col">State</th>
              <th scope="col">Image</th>
              <th scope="col">Owner</th>
              <th scope="col">Runtime</th>
              <th scope="col">Worker</th>
              <th scope="col">Expires</th>
              <th scope="col">Limits</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.id} data-sandbox={row.id}>
                {writable && (
                  <td>
                    <input type="checkbox" aria-label={`Select ${row.id}`} checked={selected.has(row.id)} onChange={() => toggle(row.id)} />
                  </td>
                )}
                <td>
                  <a href={`/console/sandboxes/${row.id}`}>{row.id}</a>
                </td>
                <td>
                  <StateBadge state={row.state} />
                  {row.certified === false && (
                    <span class="badge warn" title="runs on an uncertified provider and runtime">
                      uncertified
                    </span>
                  )}
                  {row.progress && <small class="progress">{row.progress}</small>}
                </td>
                <td class="mono">{row.image}</td>
                <td class="mono">{row.owner_id}</td>
                <td>
                  {row.provider}/{row.runtime ?? 'runc'}
                </td>
                <td class="mono">{row.worker_id ?? '–'}</td>
                <td>
                  <span title={row.expires_at}>{until(row.expires_at)}</span>
                </td>
                <td>
                  {row.vcpus} vCPU · {row.memory_mb} MiB{row.disk_mb ? ` · ${row.disk_mb} MiB disk` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {!list.loading && rows.length === 0 && <p class="empty">No sandboxes{query || state ? ' match' : ' yet'}.</p>}
      {list.loading && !list.value && <p class="loading">Loading…</p>}
      <p class="foot">
        {rows.length} shown of {list.value?.length ?? 0}
      </p>
    </section>
  );
}

function newestFirst(a: Sandbox, b: Sandbox): number {
  return b.created_at.localeCompare(a.created_at);
}
