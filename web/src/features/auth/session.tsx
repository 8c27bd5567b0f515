import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, type ReactNode } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { ApiError } from "../../api/errors";
import type { AuthResponse, Me } from "../../api/models";
import { ErrorState } from "../../components/ui/States";
import { Spinner } from "../../components/ui/Spinner";
import { fetchMe, logout, probeSession } from "./api";
import { ME_KEY, SESSION_PROBE_KEY } from "./keys";

/** Where a member whom the organisation requires to use two-factor sign-in sets it up. */
export const SECURITY_PATH = "/settings/security";

const SessionContext = createContext<Me | null>(null);

/** The signed-in user and organisation. Only usable below <RequireAuth>. */
export function useSession(): Me {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession must be used inside <RequireAuth>");
  return session;
}

export function SessionProvider({ value, children }: { value: Me; children: ReactNode }) {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

/** The organisation requires two-factor sign-in and this member has not set it up yet. */
export function mustEnrol(me: Me): boolean {
  // Tolerates an older server's answer without the field.
  const twoFactor = me.two_factor as Me["two_factor"] | undefined;
  return !!twoFactor && twoFactor.required && !twoFactor.enabled;
}

/**
 * Guards the authenticated part of the app. The session is an HttpOnly cookie the page cannot
 * see, so the server is asked; a 401 means nobody is signed in.
 */
export function RequireAuth() {
  const location = useLocation();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe });

  if (me.isPending) {
    return (
      <div
        role="status"
        className="flex h-full items-center justify-center gap-2 text-sm text-gray-500"
      >
        <Spinner className="size-4" /> Loading your workspace…
      </div>
    );
  }
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) {
      return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    }
    return (
      <div className="flex h-full items-center justify-center">
        <ErrorState
          title="Couldn't load your account"
          error={me.error}
          onRetry={() => void me.refetch()}
        />
      </div>
    );
  }
  if (mustEnrol(me.data) && location.pathname !== SECURITY_PATH) {
    return <Navigate to={SECURITY_PATH} replace />;
  }
  return (
    <SessionProvider value={me.data}>
      <Outlet />
    </SessionProvider>
  );
}

/** Login/signup pages: a signed-in visitor goes straight to the dashboard. */
export function RedirectIfSignedIn({ children }: { children: ReactNode }) {
  const probe = useQuery({ queryKey: SESSION_PROBE_KEY, queryFn: probeSession, retry: false });
  if (probe.data) return <Navigate to="/" replace />;
  return <>{children}</>;
}

/** Takes a fresh session from login/signup (the cookie is already set) into the app. */
export function useStartSession(): (auth: AuthResponse) => void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (auth) => {
    queryClient.clear();
    queryClient.setQueryData<Me>(ME_KEY, {
      user: auth.user,
      org: auth.org,
      two_factor: auth.two_factor,
    });
    navigate(mustEnrol(auth) ? SECURITY_PATH : "/", { replace: true });
  };
}

export function useLogout(): () => Promise<void> {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    try {
      await logout();
    } catch {
      // The server clears the cookie; if it cannot be reached, the login page still follows.
    }
    queryClient.clear();
    navigate("/login", { replace: true });
  };
}

/**
 * Re-checks the session (e.g. when the server ends it over the realtime socket): a 401 then
 * sends the user to the login page.
 */
export function useRecheckSession(): () => void {
  const queryClient = useQueryClient();
  return useCallback(() => void queryClient.invalidateQueries({ queryKey: ME_KEY }), [queryClient]);
}
