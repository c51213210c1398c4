import * as crypto from "node:crypto";
import { type Page } from "@playwright/test";
import { checkPage, expect, newPage, test } from "./fixtures";
import { type Delivery, open, signIn, signUpPartner, waitHydrated, webhookReceiver as receiver } from "./helpers";

/** The Standard Webhooks signature, computed here independently of the server. */
function signature(secret: string, d: Delivery) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signed = `${d.headers["webhook-id"]}.${d.headers["webhook-timestamp"]}.${d.body}`;
  return `v1,${crypto.createHmac("sha256", key).update(signed).digest("base64")}`;
}

async function register(page: Page, url: string, skip: string[] = []) {
  const form = page.getByRole("region", { name: "Register a webhook" });
  await form.getByLabel("Endpoint URL").fill(url);
  for (const code of skip) await form.getByRole("checkbox", { name: code }).uncheck();
  await form.getByRole("button", { name: "Register webhook" }).click();
}

test("a Global admin registers a webhook, sends a test event that arrives signed, and removes it", async ({ page }) => {
  const hook = await receiver();
  try {
    await signUpPartner(page, { orgName: "Hooked Partners" });
    await page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "Webhooks" }).click();
    await expect(page).toHaveURL(/\/partner\/webhooks$/);
    await waitHydrated(page);
    await expect(page.getByText("No webhook yet.")).toBeVisible();
    await checkPage(page);

    // Refused with a sentence, the input kept.
    await register(page, "ftp://hooks.example.com/x");
    await expect(page.getByRole("alert")).toContainText("Enter the endpoint's full address");
    await expect(page.getByRole("alert")).toBeFocused();
    await expect(page.getByLabel("Endpoint URL")).toHaveValue("ftp://hooks.example.com/x");
    await checkPage(page);

    await register(page, hook.url, ["invitation.declined"]);
    await expect(page.getByRole("heading", { name: "Webhook", level: 1 })).toBeVisible();
    await waitHydrated(page);
    await expect(page.getByText("Webhook registered.")).toBeVisible();
    const secret = await page.getByTestId("webhook-secret").inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await expect(page.locator("dl.facts")).toContainText("relationship.established");
    await expect(page.locator("dl.facts")).not.toContainText("invitation.declined");
    await expect(page.getByText("Nothing has been sent to this endpoint yet.")).toBeVisible();
    await checkPage(page);

    await page.getByRole("button", { name: "Send test event" }).click();
    await expect(page.getByText("Test event queued.")).toBeVisible();
    await expect.poll(() => hook.got.length, { timeout: 15_000 }).toBe(1);
    const [test] = hook.got;
    expect(test.headers["webhook-signature"]).toBe(signature(secret, test));
    expect(test.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(test.body);
    expect(body.type).toBe("webhook.test");
    const row = page.locator('tr[data-event="webhook.test"]');
    await expect(async () => {
      await page.reload();
      await expect(row).toHaveAttribute("data-state", "delivered", { timeout: 500 });
    }).toPass({ timeout: 15_000 });
    await expect(row).toContainText("HTTP 204");
    await waitHydrated(page);
    await checkPage(page);

    // The list shows it.
    await page.getByRole("link", { name: "Webhooks" }).first().click();
    await waitHydrated(page);
    await expect(page.locator("table.webhooks")).toContainText(hook.url);
    await expect(page.locator("table.webhooks")).toContainText("Nothing waiting");
    await page.getByRole("link", { name: hook.url }).click();
    await waitHydrated(page);

    // Removal asks for confirmation.
    await page.getByLabel("Yes, stop sending events to this endpoint.").check();
    await page.getByRole("button", { name: "Remove webhook" }).click();
    await expect(page).toHaveURL(/\/partner\/webhooks\?removed=/);
    await expect(page.getByText("Webhook removed. Nothing more is sent to it.")).toBeVisible();
    await expect(page.getByText("No webhook yet.")).toBeVisible();
    await checkPage(page);
  } finally {
    hook.close();
  }
});

test("webhooks are registered and removed without JavaScript", async ({ browser, page }) => {
  const hook = await receiver();
  try {
    const partner = await signUpPartner(page, { orgName: "Plain Hooks Ltd" });
    const noJs = await newPage(browser, { javaScriptEnabled: false });
    await open(noJs, "/signin");
    await signIn(noJs, partner.email, partner.password);
    await open(noJs, "/partner/webhooks");
    await register(noJs, "https://hooks.example.com/x", [
      "relationship.established",
      "invitation.declined",
      "relationship.removed",
      "dap.granted",
      "dap.removed",
    ]);
    await expect(noJs.getByText("Choose at least one event to send.")).toBeVisible();
    await checkPage(noJs);
    await register(noJs, hook.url);
    await expect(noJs.getByRole("heading", { name: "Webhook", level: 1 })).toBeVisible();
    await expect(noJs.getByTestId("webhook-secret")).toHaveValue(/^whsec_/);
    await checkPage(noJs);
    await noJs.getByRole("button", { name: "Remove webhook" }).click();
    // The browser's own check stops a plain form without the box ticked.
    await expect(noJs.getByRole("heading", { name: "Webhook", level: 1 })).toBeVisible();
    await noJs.getByLabel("Yes, stop sending events to this endpoint.").check();
    await noJs.getByRole("button", { name: "Remove webhook" }).click();
    await expect(noJs.getByText("Webhook removed. Nothing more is sent to it.")).toBeVisible();
    await checkPage(noJs);
  } finally {
    hook.close();
  }
});
