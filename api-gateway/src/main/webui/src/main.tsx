// The console's shell: sign-in, the navigation, and the pages under /console.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import '@xterm/xterm/css/xterm.css';
import './styles.css';
import { type Caller, onCredentialLost, remember, signedIn, whoami } from './api';
import { CallerContext } from './session';
import { SignIn } from './pages/SignIn';
import { SandboxList } from './pages/SandboxList';
import { SandboxPage } from './pages/SandboxPage';
import { AuditLog } from './pages/AuditLog';
import { Infrastructure } from './pages/Infrastructure';
import { Templates } from './pages/Templates';
import { ApiKeys } from './pages/ApiKeys';
import { Quotas } from './pages/Quotas';
import { Images } from './pages/Images';
import { Builds } from './pages/Builds';
import { BuildPage } from './pages/BuildPage';
import { resumeOidc, signOutOfOidc } from './oidc';
import { ErrorNote } from './ui';

const pages = [
  { path: '/console/', label: 'Sandboxes', show: () => true },
  { path: '/console/templates', label: 'Templates', show: () => true },
  { path: '/console/builds', label: 'Builds', show: () => true },
  { path: '/console/infrastructure', label: 'Workers & providers', show: () => true },
  { path: '/console/audit', label: 'Audit log', show: (c: Caller) => c.role === 'admin' },
  { path: '/console/quotas', label: 'Quotas', show: (c: Caller) => c.role === 'admin' },
  { path: '/console/images', label: 'Images', show: (c: Caller) => c.role === 'admin' },
  { path: '/console/keys', label: 'API keys', show: (c: Caller) => c.role === 'admin' },
];

function Navigation({ caller, onSignOut }: { caller: Caller; onSignOut: () => void }) {
  const { path } = useLocation();
  return (
    <header class="top">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <span class="brand">StacyVM</span>
      <nav aria-label="Console">
        <ul>
          {pages
            .filter((page) => page.show(caller))
            .map((page) => {
              const current = page.path === '/console/' ? path === page.path || path.startsWith('/console/sandboxes') : path.startsWith(page.path);
              return (
                <li key={page.path}>
                  <a href={page.path} aria-current={current ? 'page' : undefined}>
                    {page.label}
                  </a>
                </li>
              );
            })}
        </ul>
      </nav>
      <span class="who" data-testid="caller">
        {caller.tenant}/{caller.key_name} <span class={`badge role-${caller.role}`}>{caller.role}</span>
      </span>
      <button type="button" onClick={onSignOut}>
        Sign out
      </button>
    </header>
  );
}

function App() {
  const [caller, setCaller] = useState<Caller | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [checking, setChecking] = useState(true);

  // back from the OIDC provider, or a reload that keeps the tab's session: ask who it is
  useEffect(() => {
    // a revoked key or an expired token: back to the sign-in page, saying why
    onCredentialLost((lost) => {
      remember(null);
      setCaller(null);
      setError(lost);
    });
    resumeOidc()
      .catch((e) => setError(e))
      .then(() => (signedIn() ? whoami() : null))
      .then((who) => who && setCaller(who))
      .catch((e) => {
        remember(null);
        setError(e);
      })
      .finally(() => setChecking(false));
  }, []);

  if (checking) return <p class="loading">Signing in…</p>;
  if (!caller) {
    return (
      <main id="main">
        <SignIn onSignedIn={setCaller} initialError={error} />
      </main>
    );
  }
  const signOut = () => {
    void signOutOfOidc().catch((e) => setError(e));
    remember(null);
    setCaller(null);
    setError(null);
  };
  return (
    <CallerContext.Provider value={caller}>
      <Navigation caller={caller} onSignOut={signOut} />
      <main id="main">
        <Router>
          <Route path="/console/" component={SandboxList} />
          <Route path="/console/sandboxes/:id" component={SandboxPage} />
          <Route path="/console/infrastructure" component={Infrastructure} />
          <Route path="/console/audit" component={AuditLog} />
          <Route path="/console/templates" component={Templates} />
          <Route path="/console/builds" component={Builds} />
          <Route path="/console/builds/:id" component={BuildPage} />
          <Route path="/console/keys" component={ApiKeys} />
          <Route path="/console/quotas" component={Quotas} />
          <Route path="/console/images" component={Images} />
          <Route default component={NotFound} />
        </Router>
      </main>
    </CallerContext.Provider>
  );
}

function NotFound() {
  return <ErrorNote error={new Error('No such page in the console.')} />;
}

render(
  <LocationProvider>
    <App />
  </LocationProvider>,
  document.getElementById('app')!,
);
