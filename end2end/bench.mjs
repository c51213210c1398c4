// Page figures for `make bench`: for each page, what a first (cold) load transfers and the
// time from navigation to interactive (`body[data-hydrated]`), as the median of 7 cold
// loads in headless Chromium: plain, with 4x CPU throttling, and on a Fast-3G-like link
// (1.6 Mbps down, 750 kbps up, 150 ms round trip). Prints one JSON line per page.
// Usage: node bench.mjs <base URL> <demo password>
import { chromium } from "@playwright/test";

const [base, password] = process.argv.slice(2);
const RUNS = 7;
const CONDITIONS = {
  plain: {},
  cpu4x: { cpu: 4 },
  fast3g: { net: { latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 } },
};

async function signIn(email) {
  const res = await fetch(`${base}/api/sign_in`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: base },
    body: `email=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}`,
  });
  // Every cookie the sign-in sets (the session and the device cookie).
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  if (!cookie) throw new Error(`sign-in of ${email} failed: ${res.status}`);
  return cookie;
}

async function invitationPath(email) {
  const cookie = await signIn(email);
  const res = await fetch(`${base}/api/relationship_request`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", origin: base, cookie },
    body: "dap=true",
  });
  const { url } = await res.json();
  const u = new URL(url);
  return u.pathname + u.search;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

async function coldLoad(path, cookie, condition, html) {
  const context = await browser.newContext();
  if (cookie) {
    await context.addCookies(
      cookie.split("; ").map((c) => {
        const at = c.indexOf("=");
        return { name: c.slice(0, at), value: c.slice(at + 1), url: base };
      }),
    );
  }
  const page = await context.newPage();
  // The floors: pages served by the browser itself, marked interactive by a one-line module
  // script. What they measure is this machine's own cost of a navigation, and of showing a
  // page's HTML and CSS without running any of its JavaScript or wasm.
  if (html) await page.route(base + path, (route) => route.fulfill({ contentType: "text/html", body: html }));
  // Records when the islands are running, on the page's own clock (0 = navigation start).
  // The page reports it through a binding rather than being polled: polling would inject
  // Playwright's own script into the page, whose evaluation (tens of ms with 4x CPU) would
  // then compete with the hydration being measured.
  let reportInteractive;
  const interactiveAt = new Promise((resolve) => (reportInteractive = resolve));
  await page.exposeFunction("__accordInteractive", (t) => reportInteractive(t));
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.body?.hasAttribute("data-hydrated")) {
        window.__accordInteractive(performance.now());
        observer.disconnect();
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-hydrated"] });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  if (condition.cpu) await cdp.send("Emulation.setCPUThrottlingRate", { rate: condition.cpu });
  if (condition.net) await cdp.send("Network.emulateNetworkConditions", { offline: false, ...condition.net });
  const sizes = new Map();
  cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
  const types = new Map();
  cdp.on("Network.responseReceived", (e) => types.set(e.requestId, e.type));
  await page.goto(base + path, { waitUntil: "commit" });
  const interactive = await Promise.race([
    interactiveAt,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${path} never became interactive`)), 30_000)),
  ]);
  await page.waitForLoadState("networkidle");
  let bytes = 0;
  const byType = {};
  for (const [id, n] of sizes) {
    bytes += n;
    const t = types.get(id) ?? "Other";
    byType[t] = (byType[t] ?? 0) + n;
  }
  await context.close();
  return { interactive, bytes, byType };
}

const MARK_INTERACTIVE = '<script type="module">document.body.setAttribute("data-hydrated", "")</script>';

// A page's own HTML and CSS as the server sends them, with the browser bundle taken out and
// the same one-line module script as the floor: what showing the page costs before any of
// its JavaScript or wasm runs.
async function withoutBundle(path) {
  const html = await (await fetch(base + path, { headers: { accept: "text/html" } })).text();
  return html
    .replace(/<script[\s\S]*?<\/script>/g, "")
    .replace(/<link rel="(modulepreload|preload)"[^>]*>/g, "")
    .replace("</body>", `${MARK_INTERACTIVE}</body>`);
}

const m365 = await invitationPath("admin@contoso.example");
const targets = [
  {
    name: "floor: empty page, one module script",
    path: "/__floor",
    html: `<!doctype html><html lang="en"><title>floor</title><body>${MARK_INTERACTIVE}</body></html>`,
  },
  { name: "floor: M365 acceptance HTML+CSS, no bundle", path: "/__floor-m365", html: await withoutBundle(m365) },
  { name: "/signin", path: "/signin" },
  { name: "acceptance, Microsoft 365 admin center", path: m365 },
  { name: "acceptance, Office Admin Portal (US Gov)", path: await invitationPath("admin@adatum.example") },
  { name: "acceptance, Office Admin Portal (Germany)", path: await invitationPath("admin@wingtip.example") },
  { name: "acceptance, 21Vianet", path: await invitationPath("admin@litware.example") },
  { name: "/partner/customers (50 customers)", path: "/partner/customers", cookie: await signIn("admin@contoso.example") },
];

for (const t of targets) {
  const out = { page: t.name, path: t.path };
  for (const [cname, condition] of Object.entries(CONDITIONS)) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await coldLoad(t.path, t.cookie, condition, t.html));
    out[`${cname}_ms`] = Math.round(median(runs.map((r) => r.interactive)));
    if (cname === "plain") {
      out.first_load_bytes = median(runs.map((r) => r.bytes));
      out.by_type = runs[0].byType;
    }
  }
  console.log(JSON.stringify(out));
}
await browser.close();
