import { useState } from 'preact/hooks';
import { type AuditRecord, type AuditVerification, call, json, saveText } from '../api';
import { ErrorNote, When, useLoad, Table } from '../ui';

const PAGE = 100;
/** The API's largest page, and how many an export reads at most (a million records). */
const EXPORT_PAGE = 1000;
const EXPORT_PAGES = 1000;

/**
 * The audit log (administrators: GET /api/v1/admin/audit), filtered as the API filters it, paged
 * by id, exported as CSV with the same filters, and the hash chain's state
 * (GET /api/v1/admin/audit/verify).
 */
export function AuditLog() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [after, setAfter] = useState<number[]>([]);
  const query = () => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(filters)) if (value) params.set(name, toInstant(name, value));
    return params;
  };
  const page = useLoad(() => {
    const params = query();
    params.set('limit', String(PAGE));
    if (after.length) params.set('after_id', String(after[after.length - 1]));
    return json<AuditRecord[]>(`/admin/audit?${params}`);
  }, [filters, after]);
  const verify = useLoad(() => json<AuditVerification>('/admin/audit/verify'), []);
  const [error, setError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);

  /**
   * Every record the filters match, as one CSV: the API's CSV pages (1000 records each) joined,
   * each page's Link rel="next" (RFC 8288) naming the one after it.
   */
  const exportCsv = async () => {
    setExporting(true);
    setError(null);
    try {
      const parts: string[] = [];
      const params = query();
      params.set('limit', String(EXPORT_PAGE));
      params.set('format', 'csv');
      let next: string | null = `/admin/audit?${params}`;
      for (let pageNo = 0; pageNo < EXPORT_PAGES && next; pageNo++) {
        const response: Response = await call(next, { headers: { Accept: 'text/csv' } });
        const csv = await response.text();
        // the header once, at the top
        parts.push(parts.length === 0 ? csv : csv.slice(csv.indexOf('\r\n') + 2));
        const link = /<\/api\/v1([^>]+)>;\s*rel="next"/.exec(response.headers.get('Link') ?? '');
        next = link ? link[1] : null;
      }
      saveText(parts.join(''), 'stacyvm-audit.csv', 'text/csv');
    } catch (e) {
      setError(e);
    } finally {
      setExporting(false);
    }
  };

  const records = page.value ?? [];
  return (
    <section>
      <div class="heading">
        <h1>Audit log</h1>
        {verify.value && (
          <span class={`badge ${verify.value.intact ? 'ok' : 'bad'}`} data-testid="chain" role="status">
            {verify.value.intact
              ? `hash chain intact (${verify.value.records} records)`
              : `hash chain broken at ${verify.value.broken_at ?? '?'}: ${verify.value.reason}`}
          </span>
        )}
        <button type="button" onClick={() => void verify.reload()}>
          Verify again
        </button>
      </div>
      <ErrorNote error={verify.error} />
      <form
        class="toolbar wrap"
        onSubmit={(e) => {
          e.preventDefault();
          const form = new FormData(e.target as HTMLFormElement);
          setFilters(Object.fromEntries(['action', 'actor', 'target', 'since', 'until'].map((n) => [n, String(form.get(n) ?? '').trim()])));
          setAfter([]);
        }}
      >
        <label>
          Action
          <input name="action" placeholder="sandbox.create" />
        </label>
        <label>
          Actor
          <input name="actor" placeholder="default/ci-bot" />
        </label>
        <label>
          Target
          <input name="target" placeholder="sb-…" />
        </label>
        <label>
          Since
          <input name="since" type="datetime-local" />
        </label>
        <label>
          Until
          <input name="until" type="datetime-local" />
        </label>
        <button type="submit" class="primary">
          Filter
        </button>
        <button type="button" disabled={exporting} onClick={() => void exportCsv()}>
          {exporting ? 'Exporting…' : 'Export CSV'}
        </button>
      </form>
      <ErrorNote error={page.error ?? error} />
      <Table columns={['#', 'When', 'Action', 'Outcome', 'Actor', 'Target', 'Detail']} caption="Audit records, oldest first" class="audit">
        {records.map((r) => (
          <tr key={r.id} data-action={r.action}>
            <td>{r.id}</td>
            <td>
              <When at={r.created_at} />
            </td>
            <td class="mono">{r.action}</td>
            <td>
              <span class={`badge outcome-${r.outcome}`}>{r.outcome}</span>
            </td>
            <td class="mono">{r.actor}</td>
            <td class="mono">{r.target ?? r.sandbox_id ?? ''}</td>
            <td>{r.detail ?? ''}</td>
          </tr>
        ))}
      </Table>
      {!page.loading && records.length === 0 && <p class="empty">No records match.</p>}
      <div class="actions">
        <button type="button" disabled={after.length === 0} onClick={() => setAfter(after.slice(0, -1))}>
          Previous
        </button>
        <button type="button" disabled={records.length < PAGE} onClick={() => setAfter([...after, records[records.length - 1].id])}>
          Next
        </button>
      </div>
    </section>
  );
}

/** The datetime-local inputs hold local time without a zone; the API takes ISO-8601 instants. */
function toInstant(name: string, value: string): string {
  return name === 'since' || name === 'until' ? new Date(value).toISOString() : value;
}
