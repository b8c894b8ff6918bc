// Small parts every page uses: how errors, times and sizes are shown, and a loader hook.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

/** An error as the API said it: its message and code, announced to screen readers. */
export function ErrorNote({ error, onDismiss }: { error: unknown; onDismiss?: () => void }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <div class="error" role="alert" data-testid="error">
      <strong>{api ? api.message : String((error as Error).message ?? error)}</strong>
      {api && (
        <code class="code">
          {' '}
          {api.code}
          {api.status ? ` · HTTP ${api.status}` : ''}
        </code>
      )}
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss} aria-label="Dismiss the error">
          ×
        </button>
      )}
    </div>
  );
}

/**
 * A destructive step as every page takes it: asks `question`; when confirmed runs `action`, then
 * `done` (say what happened, load again); the API's refusal goes to `failed`, to be shown.
 */
export async function confirmThen(question: string, action: () => Promise<unknown>, done: () => unknown, failed: (error: unknown) => void): Promise<void> {
  if (!confirm(question)) return;
  try {
    await action();
    await done();
  } catch (error) {
    failed(error);
  }
}

/**
 * A button for a destructive step (delete, revoke, cancel): red, named for screen readers by
 * `label` when its text alone would be ambiguous in a table, and taken with {@link confirmThen}.
 */
export function DangerButton(props: {
  label?: string;
  question: string;
  action: () => Promise<unknown>;
  done: () => unknown;
  failed: (error: unknown) => void;
  children: ComponentChildren;
}) {
  return (
    <button type="button" class="danger" aria-label={props.label} onClick={() => confirmThen(props.question, props.action, props.done, props.failed)}>
      {props.children}
    </button>
  );
}

/**
 * A table as every page shows one: scrolling inside its frame at narrow widths, its column
 * headers (a false entry is a column this caller does not get), an optional caption for screen
 * readers, and `children` as its rows.
 */
export function Table(props: { columns: (string | false)[]; caption?: string; class?: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class={props.class}>
        {props.caption && <caption class="visually-hidden">{props.caption}</caption>}
        <thead>
          <tr>
            {props.columns.map((column) =>
              column === false ? null : (
                <th scope="col" key={column}>
                  {column}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** A polite status line for what just happened ("3 sandboxes destroyed"). */
export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice" role="status">
      {children}
    </p>
  );
}

/** Loads with `load` now and whenever `deps` change; `reload` loads again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const reload = useCallback(async () => {
    setLoading(true);
    try {
      setValue(await load());
      setError(null);
    } catch (e) {
      setError(e);
    } finally {
      setLoading(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(() => {
    void reload();
  }, [reload]);
  return { value, setValue, error, setError, loading, reload };
}

/** Runs `load` every `ms` while the page shows it (stats, processes). */
export function useEvery(ms: number, tick: () => void, deps: unknown[]) {
  useEffect(() => {
    const timer = setInterval(tick, ms);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
}

const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function bytes(n: number | null | undefined): string {
  if (n == null) return '–';
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** An instant as local time, with the ISO form as its title. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span>–</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {date.toLocaleString()}
    </time>
  );
}

/** How long until `at` ("in 12m", "expired"), for a sandbox's expiry. */
export function until(at: string, now = Date.now()): string {
  const seconds = Math.round((new Date(at).getTime() - now) / 1000);
  if (seconds <= 0) return 'expired';
  if (seconds < 60) return `in ${seconds}s`;
  if (seconds < 3600) return `in ${Math.floor(seconds / 60)}m`;
  return `in ${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

export function StateBadge({ state }: { state: string }) {
  return <span class={`badge state-${state}`}>{state}</span>;
}
