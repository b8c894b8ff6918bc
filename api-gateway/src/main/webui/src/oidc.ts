// Sign-in through the gateway's OIDC provider (Keycloak with ./stacyvm up --with-keycloak): the
// authorization code flow with PKCE (RFC 7636) in the browser, by oidc-client-ts, as the public
// client the gateway names in /console/config.json. The access token it gets is the console's
// credential (Authorization: Bearer), renewed with the refresh token before it expires.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { remember, signedIn } from './api';

/** What /console/config.json says about OIDC; null when the gateway takes no tokens. */
export interface OidcSettings {
  issuer: string;
  client_id: string;
}

let settings: OidcSettings | null | undefined;
let manager: UserManager | null = null;

/** The gateway's OIDC settings, read once per page. */
export async function oidcSettings(): Promise<OidcSettings | null> {
  if (settings === undefined) {
    try {
      const response = await fetch('/console/config.json', { headers: { Accept: 'application/json' } });
      settings = response.ok ? (((await response.json()) as { oidc: OidcSettings | null }).oidc ?? null) : null;
    } catch {
      settings = null;
    }
  }
  return settings;
}

function userManager(oidc: OidcSettings): UserManager {
  if (!manager) {
    const home = `${location.origin}/console/`;
    manager = new UserManager({
      authority: oidc.issuer,
      client_id: oidc.client_id,
      redirect_uri: home,
      post_logout_redirect_uri: home,
      response_type: 'code',
      scope: 'openid',
      // the tab's session only, like an API key
      userStore: new WebStorageStateStore({ store: sessionStorage }),
      // renewed with the refresh token a minute before the access token expires
      automaticSilentRenew: true,
    });
    manager.events.addUserLoaded((user) => remember({ kind: 'bearer', secret: user.access_token }));
  }
  return manager;
}

/** Goes to the provider's login page; it comes back to /console/ with a code. */
export async function signInWithOidc(oidc: OidcSettings): Promise<void> {
  await userManager(oidc).signinRedirect();
}

/**
 * At the console's start: on the way back from the provider (?code=...&state=...) trades the code
 * for tokens, keeps the access token as the tab's credential and takes the code out of the
 * address; after a reload of a tab signed in through the provider, takes its session up again (so
 * that it is renewed), or forgets it when it has run out.
 */
export async function resumeOidc(): Promise<void> {
  const query = new URLSearchParams(location.search);
  const returning = query.has('code') && query.has('state');
  if (!returning && signedIn()?.kind !== 'bearer') return;
  const oidc = await oidcSettings();
  if (!oidc) {
    if (!returning) remember(null);
    return;
  }
  if (returning) {
    try {
      const user = await userManager(oidc).signinRedirectCallback();
      remember({ kind: 'bearer', secret: user.access_token });
    } finally {
      history.replaceState(null, '', '/console/');
    }
    return;
  }
  const user = await userManager(oidc).getUser();
  if (!user || user.expired) remember(null);
  else remember({ kind: 'bearer', secret: user.access_token });
}

/**
 * Signs out of the provider too when the tab signed in through it: revokes its tokens and ends the
 * provider's session (its logout page comes back to /console/), so that the next single sign-on
 * asks for the password again.
 */
export async function signOutOfOidc(): Promise<void> {
  if (signedIn()?.kind !== 'bearer') return;
  const oidc = await oidcSettings();
  if (!oidc) return;
  const users = userManager(oidc);
  const user = await users.getUser();
  await users.revokeTokens().catch(() => undefined);
  await users.removeUser();
  remember(null);
  await users.signoutRedirect({ id_token_hint: user?.id_token });
}
