import { execFileSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { checkPage, expect, test } from "./fixtures";
import { open, signUpPartner, waitHydrated } from "./helpers";

test("a Global admin makes an API key, sees it once, uses it, and revokes it", async ({ page, request }) => {
  await signUpPartner(page, { orgName: "Scripted Partners" });
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

  // The served OpenAPI document holds: schemathesis calls every operation with generated
  // input; no answer is a 5xx, and every answer matches the document (status, content
  // type, schema).
  const base = process.env.BASE_URL ?? "http://127.0.0.1:3000";
  const st = path.resolve(__dirname, "../../tools/venv/bin/st");
  const report = execFileSync(
    st,
    [
      "run", `${base}/openapi.json`,
      "--header", `Authorization: Bearer ${secret}`,
      "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
      "--max-examples", "25",
      "--seed", "1",
    ],
    { cwd: os.tmpdir(), encoding: "utf8", timeout: 240_000 },
  );
  expect(report).toMatch(/\d+ passed|No issues found/);

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
