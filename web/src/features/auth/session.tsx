import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, type ReactNode } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import type { AuthResponse, Me } from "../../api/models";
import { clearToken, getToken, setToken } from "../../api/token";
import { ErrorState } from "../../components/ui/States";
import { Spinner } from "../../components/ui/Spinner";
import { fetchMe, logout } from "./api";
import { ME_KEY } from "./keys";

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

/** Guards the authenticated part of the app. */
export function RequireAuth() {
  const location = useLocation();
  const token = getToken();
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, enabled: token !== null });

  if (token === null) {
    return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  }
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
  return (
    <SessionProvider value={me.data}>
      <Outlet />
    </SessionProvider>
  );
}

/** Login/signup pages: a signed-in visitor goes straight to the dashboard. */
export function RedirectIfSignedIn({ children }: { children: ReactNode }) {
  if (getToken() !== null) return <Navigate to="/" replace />;
  return <>{children}</>;
}

/** Stores a fresh session from login/signup and returns a function to call afterwards. */
export function useStartSession(): (auth: AuthResponse) => void {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return (auth) => {
    queryClient.clear();
    setToken(auth.token);
    queryClient.setQueryData<Me>(ME_KEY, { user: auth.user, org: auth.org });
    navigate("/", { replace: true });
  };
}

export function useLogout(): () => Promise<void> {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    try {
      await logout();
    } catch {
      // The token is dropped locally either way.
    }
    clearToken();
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
