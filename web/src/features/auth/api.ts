import { useMutation, useQuery } from "@tanstack/react-query";
import { api, quietApi, unwrap } from "../../api/client";
import type { AuthResponse, LoginBody, Me, SignupBody } from "../../api/models";
import { inviteLookupKey } from "./keys";

export function fetchMe(): Promise<Me> {
  return unwrap(api.GET("/api/v1/auth/me"));
}

/** The signed-in member, or null when nobody is (without the app's lost-session handling). */
export async function probeSession(): Promise<Me | null> {
  const { data, response } = await quietApi.GET("/api/v1/auth/me", {
    headers: { "X-Closer-CSRF": "1" },
  });
  return response.ok && data ? data : null;
}

/** Ends the session on the server, which also clears the session cookie. */
export async function logout(): Promise<void> {
  await api.POST("/api/v1/auth/logout");
}

export function useLogin(onSuccess: (auth: AuthResponse) => void) {
  return useMutation({
    mutationFn: (body: LoginBody) => unwrap(api.POST("/api/v1/auth/login", { body })),
    onSuccess,
  });
}

export function useSignup(onSuccess: (auth: AuthResponse) => void) {
  return useMutation({
    mutationFn: (body: SignupBody) => unwrap(api.POST("/api/v1/auth/signup", { body })),
    onSuccess,
  });
}

/** The invitation behind a signup link (public: no session needed). */
export function useInviteLookup(token: string) {
  return useQuery({
    queryKey: inviteLookupKey(token),
    queryFn: () => unwrap(api.GET("/api/v1/invites/{token}", { params: { path: { token } } })),
    retry: false,
  });
}
