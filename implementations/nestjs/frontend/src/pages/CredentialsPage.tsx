import { FormEvent, useState } from 'react';
import { Link, Navigate, useNavigate } from 'react-router';
import { apiRequest } from '../api/client';
import { useAuthStore, User } from '../store/authStore';

interface Session {
  accessToken: string;
  user: User;
}

/** The login and the register page: one form, two endpoints. */
export function CredentialsPage({ mode }: { mode: 'login' | 'register' }) {
  const isLogin = mode === 'login';
  const { isAuthenticated, notice, logIn, clearNotice } = useAuthStore();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (isAuthenticated) return <Navigate to="/app" replace />;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, string> = {
      email: String(form.get('email') ?? ''),
      password: String(form.get('password') ?? ''),
    };
    const name = String(form.get('name') ?? '').trim();
    if (!isLogin && name) body.name = name;
    setBusy(true);
    setError(null);
    try {
      const session = await apiRequest<Session>(isLogin ? '/auth/login' : '/auth/register', {
        method: 'POST',
        body,
      });
      logIn(session.accessToken, session.user);
      navigate('/app');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="credentials">
      <h1>{isLogin ? 'Log in' : 'Create an account'}</h1>
      {notice && (
        <p className="notice" role="alert">
          {notice}
        </p>
      )}
      {error && (
        <p className="notice" role="alert">
          {error}
        </p>
      )}
      <form onSubmit={submit} onChange={() => notice && clearNotice()}>
        {!isLogin && <input name="name" placeholder="Name" autoComplete="name" />}
        <input name="email" type="email" placeholder="Email" autoComplete="email" required />
        <input
          name="password"
          type="password"
          placeholder="Password"
          autoComplete={isLogin ? 'current-password' : 'new-password'}
          required
        />
        <button type="submit" disabled={busy}>
          {isLogin ? 'Log in' : 'Create account'}
        </button>
      </form>
      {isLogin ? <Link to="/register">Create an account</Link> : <Link to="/login">Log in instead</Link>}
    </main>
  );
}
