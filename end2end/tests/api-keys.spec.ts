import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { checkPage, expect, newPage, test } from "./fixtures";
import { acceptWithAgreement, createCustomerOrg, open, pathOf, requestLink, signUpPartner, uniqueDomain, waitHydrated } from "./helpers";

test("a Global admin makes an API key, sees it once, uses it, and revokes it", async ({ browser, page, request }) => {
  test.setTimeout(300_000);
  await signUpPartner(page, { orgName: "Scripted Partners" });
  // Two customers, so the API's stateful testing below reaches real ones.
  const link = await requestLink(page);
  for (const company of ["Scripted Customer One", "Scripted Customer Two"]) {
    const customer = await newPage(browser);
    await open(customer, pathOf(link));
    await createCustomerOrg(customer, company, uniqueDomain("scripted"));
    await acceptWithAgreement(customer);
    await expect(customer.getByText("is now authorized as your partner")).toBeVisible();
    await customer.context().close();
  }
  await open(page, "/partner/customers");
  await page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "API keys" }).click();
  await waitHydrated(page);
  await expect(page.getByText("No API key yet.")).toBeVisible();
  await checkPage(page);

  const form = page.getByRole("region", { name: "Make an API key" });
  await form.getByLabel("Name").fill("PSA sync");
  await form.getByLabel("Expires after (days)").fill("90");
  await form.getByRole("button", { name: "Make key" }).click();
  const secret = await page.getByTestId("api-key").inputValue();
  expect(secret).toMatch(/^acc_[A-Za-z0-9_-]{40}$/);
  await expect(page.getByRole("status").first()).toBeFocused();
  const row = page.locator('tr[data-key="PSA sync"]');
  await expect(row.locator("code")).toHaveText(`${secret.slice(0, 12)}…`);
  await expect(row).toContainText("Never");
  await checkPage(page);
  // Shown once.
  await page.reload();
  await waitHydrated(page);
  await expect(page.getByTestId("api-key")).toHaveCount(0);

  // The key works, and the page then says when it was used.
  const answer = await request.get("/v1/customers", { headers: { Authorization: `Bearer ${secret}` } });
  expect(answer.status()).toBe(200);
  expect((await answer.json()).attributes.objectType).toBe("Collection");
  await page.reload();
  await expect(row).not.toContainText("Never");

  // The served OpenAPI document holds: schemathesis runs every check on every operation
  // with valid and invalid input (examples, coverage, fuzzing), then follows the
  // document's links from the customers listing to real customers (stateful). No answer
  // is a 5xx, every answer matches the document, valid input is accepted and invalid
  // input refused. The rate keeps the key under its allowance.
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const st = path.resolve(__dirname, "../../tools/venv/bin/st");
  const run = spawnSync(
    st,
    [
      "run", `${base}/openapi.json`,
      "--header", `Authorization: Bearer ${secret}`,
      "--checks", "all",
      "--mode", "all",
      "--phases", "examples,coverage,fuzzing,stateful",
      "--max-examples", "25",
      "--rate-limit", "20/s",
      "--seed", "1",
      "--no-color",
    ],
    { cwd: os.tmpdir(), encoding: "utf8", timeout: 240_000 },
  );
  // Without the terminal's escape sequences (the progress display writes some).
  const report = `${run.stdout}\n${run.stderr}`.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  expect(run.status, report).toBe(0);
  expect(report).toMatch(/No issues found/);
  // The stateful phase went from the listing to the customers' own operations.
  expect(report).toMatch(/API Links:\s+[1-9]\d* covered/);

  // The API documentation, rendered from the same document.
  await open(page, "/docs/api");
  await expect(page.getByRole("heading", { name: "GET /v1/customers", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "PATCH /v1/customers/{id}" })).toBeVisible();
  await open(page, "/partner/api-keys");

  // Revoked: refused at once, with Partner Center's error object.
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("The key PSA sync was revoked")).toBeVisible();
  await expect(row.locator("td.expires")).toContainText("Revoked on");
  await checkPage(page);
  const refused = await request.get("/v1/customers", { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  expect((await refused.json()).errorName).toBe("Unauthorized");
});
