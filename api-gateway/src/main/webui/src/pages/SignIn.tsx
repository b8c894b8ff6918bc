import { useState } from 'preact/hooks';
import { type Caller, remember, whoami } from '../api';
import { ErrorNote } from '../ui';

/**
 * Sign-in with an API key: kept in this tab's sessionStorage (it ends with the tab), sent as
 * X-API-Key, never put in a URL. The gateway's GET /api/v1/whoami checks it and names its role.
 */
export function SignIn({ onSignedIn, initialError }: { onSignedIn: (caller: Caller) => void; initialError?: unknown }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(initialError);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    remember({ kind: 'api_key', secret: key.trim() });
    try {
      onSignedIn(await whoami());
    } catch (e) {
      remember(null);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="sign-in">
      <h1>StacyVM console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          required
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <p class="hint">
          <code>./stacyvm up</code> prints the admin key; an administrator makes keys for everyone else. The key stays in
          this tab until you sign out or close it.
        </p>
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
      <ErrorNote error={error} />
    </section>
  );
}
