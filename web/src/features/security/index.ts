// The security feature's door: Settings → Security (two-factor sign-in, sessions, the
// organisation's two-factor rule).
export { SecurityPage } from "./SecurityPage";
