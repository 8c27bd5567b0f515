// Closer's service worker: shows the team's web pushes (RFC 8291 payloads the browser already
// decrypted: {title, body, link, kind}) and opens the dashboard where a click leads.
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: event.data ? event.data.text() : "Closer" };
  }
  const title = data.title || "Closer";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || "",
      tag: data.kind || undefined,
      icon: "/favicon.svg",
      data: { link: data.link || "/" },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const link = (event.notification.data && event.notification.data.link) || "/";
  const url = new URL(link, self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if (w.url.startsWith(self.location.origin) && "focus" in w) {
          w.navigate(url);
          return w.focus();
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
