import { expect, newPage, test } from "./fixtures";
import { open, signIn, signUpPartner, uniqueEmail, waitHydrated } from "./helpers";

// A session that ends while someone is filling in a form (signed out on another device,
// or expired): they are sent to sign in, told why, and come back to the same form.

/** Ends every session of the partner from a second device (Sign out everywhere). */
async function endSessionsElsewhere(browser: import("@playwright/test").Browser, email: string, password: string) {
  const other = await newPage(browser);
  await open(other, "/signin");
  await signIn(other, email, password);
  await expect(other).toHaveURL(/\/partner\/customers$/);
  await waitHydrated(other);
  await other.locator("details.account > summary").click();
  await other.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(other).toHaveURL(/\/signin$/);
  await other.context().close();
}

test("with JavaScript: sign in again and the form is back with what was typed", async ({ browser, page }) => {
  const partner = await signUpPartner(page);
  await open(page, "/partner/users");
  const form = page.getByRole("region", { name: "Add a user" });
  await form.getByLabel("Name").fill("Ines Interrupted");
  const email = uniqueEmail("ines");
  await form.getByLabel("Email").fill(email);

  await endSessionsElsewhere(browser, partner.email, partner.password);
  await form.getByRole("button", { name: "Add user" }).click();

  // Sent to sign in, told why; the header no longer shows anyone signed in.
  await expect(page).toHaveURL(/\/signin\?next=%2Fpartner%2Fusers&session=ended$/);
  await waitHydrated(page);
  await expect(page.getByRole("status")).toHaveText("Your session ended, so nothing was changed. Sign in again to go on where you were.");
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await signIn(page, partner.email, partner.password);

  // Back on the form, with what was typed and no stale error.
  await expect(page).toHaveURL(/\/partner\/users$/);
  await waitHydrated(page);
  await expect(form.getByLabel("Name")).toHaveValue("Ines Interrupted");
  await expect(form.getByLabel("Email")).toHaveValue(email);
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByText("Please sign in to continue.")).toHaveCount(0);
  // Nothing was added while signed out; adding now works.
  await expect(page.getByRole("link", { name: "Ines Interrupted" })).toHaveCount(0);
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("heading", { name: "Ines Interrupted", level: 1 })).toBeVisible();
});

test("without JavaScript: told why at sign-in, and no stale error after it", async ({ browser, page }) => {
  const partner = await signUpPartner(page);
  const noJs = await newPage(browser, { javaScriptEnabled: false });
  await open(noJs, "/signin");
  await signIn(noJs, partner.email, partner.password);
  await expect(noJs).toHaveURL(/\/partner\/customers$/);
  await open(noJs, "/partner/users");
  const form = noJs.getByRole("region", { name: "Add a user" });
  await form.getByLabel("Name").fill("Otto Offline");
  await form.getByLabel("Email").fill(uniqueEmail("otto"));

  await endSessionsElsewhere(browser, partner.email, partner.password);
  await form.getByRole("button", { name: "Add user" }).click();

  await expect(noJs).toHaveURL(/\/signin\?next=%2Fpartner%2Fusers&session=ended$/);
  await expect(noJs.getByRole("status")).toHaveText("Your session ended, so nothing was changed. Sign in again to go on where you were.");
  await signIn(noJs, partner.email, partner.password);
  await expect(noJs).toHaveURL(/\/partner\/users$/);
  await expect(noJs.getByText("Please sign in to continue.")).toHaveCount(0);
  await expect(noJs.getByRole("status")).toHaveCount(0);
  await expect(noJs.getByRole("link", { name: "Otto Offline" })).toHaveCount(0);
  await noJs.context().close();
});
