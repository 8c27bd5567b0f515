import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { RouterProvider } from "react-router";
import { setEnrollmentRequiredHandler, setUnauthorizedHandler } from "./api/client";
import { createQueryClient, Providers } from "./App";
import { createRouter } from "./app/router";
import { ME_KEY } from "./features/auth";
import "./index.css";

const queryClient = createQueryClient();
const router = createRouter();

// A 401 anywhere means the session is gone: drop cached data and go to the login page.
setUnauthorizedHandler(() => {
  queryClient.clear();
  if (router.state.location.pathname !== "/login")
    void router.navigate("/login", { replace: true });
});

// The organisation requires two-factor sign-in and this member has none: re-read the session,
// whose guard sends them to Settings → Security.
setEnrollmentRequiredHandler(() => {
  void queryClient.invalidateQueries({ queryKey: ME_KEY });
});

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Providers client={queryClient}>
      <RouterProvider router={router} />
    </Providers>
  </StrictMode>,
);
