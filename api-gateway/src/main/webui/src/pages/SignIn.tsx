import { useEffect, useState } from 'preact/hooks';
import { type Caller, remember, whoami } from '../api';
import { type OidcSettings, oidcSettings, signInWithOidc } from '../oidc';
import { ErrorNote } from '../ui';

/**
 * Sign-in with an API key: kept in this tab's sessionStorage (it ends with the tab), sent as
 * X-API-Key, never put in a URL; or, when the gateway takes OIDC tokens, through its provider
 * (oidc.ts). The gateway's GET /api/v1/whoami checks the credential and names its role.
 */
export function SignIn({ onSignedIn, initialError }: { onSignedIn: (caller: Caller) => void; initialError?: unknown }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<unknown>(initialError);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState<OidcSettings | null>(null);
  useEffect(() => {
    void oidcSettings().then(setOidc);
  }, []);

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
          <code>./stacyvm up</code> prints the admin key; an administrator makes keys for everyone else. The key stays in this tab until you sign out or close
          it.
        </p>
        <button type="submit" class="primary" disabled={busy || !key.trim()}>
          Sign in
        </button>
      </form>
      {oidc && (
        <div class="oidc">
          <p class="hint">Or sign in with your organisation's account:</p>
          <button
            type="button"
            onClick={() => {
              setBusy(true);
              signInWithOidc(oidc).catch((e) => {
                setError(e);
                setBusy(false);
              });
            }}
            disabled={busy}
          >
            Sign in with single sign-on
          </button>
        </div>
      )}
      <ErrorNote error={error} />
    </section>
  );
}
