// The auth feature's door: signing in and up, and the session every other feature reads.
export { ME_KEY } from "./keys";
export { LoginPage } from "./LoginPage";
export { ForgotPasswordPage, ResetPasswordPage } from "./PasswordResetPages";
export {
  mustEnrol,
  RedirectIfSignedIn,
  SECURITY_PATH,
  RequireAuth,
  useLogout,
  useRecheckSession,
  useSession,
  useStartSession,
} from "./session";
export { SignupPage } from "./SignupPage";
