import { checkPage, expect, newPage, test } from "./fixtures";
import { open, signIn, signOut, signUpPartner, waitHydrated } from "./helpers";

test("partner signs up, signs out, is sent to sign in and comes back to Customers", async ({ page, context }) => {
  const partner = await signUpPartner(page);
  await waitHydrated(page);
  await expect(page.getByText("No customers yet")).toBeVisible();
  await expect(page.getByText(partner.orgName)).toBeVisible();

  await signOut(page);
  expect((await context.cookies()).find((c) => c.name === "accord_session")).toBeUndefined();

  await page.goto("/partner/customers");
  await expect(page).toHaveURL(/\/signin\?next=%2Fpartner%2Fcustomers$/);
  await waitHydrated(page);
  await signIn(page, partner.email, partner.password);
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();

  const cookie = (await context.cookies()).find((c) => c.name === "accord_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");
});

test("wrong password shows one clear message and starts no session", async ({ page, context }) => {
  const partner = await signUpPartner(page);
  await signOut(page);
  await context.clearCookies();

  await open(page, "/signin");
  await signIn(page, partner.email, "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");
  expect((await context.cookies()).find((c) => c.name === "accord_session")).toBeUndefined();

  // An unknown email gets exactly the same message.
  await signIn(page, "nobody-here@example.com", "not-the-password");
  await expect(page.getByRole("alert")).toHaveText("The email or password is incorrect.");

  await page.goto("/partner/customers");
  await expect(page).toHaveURL(/\/signin/);
});

test("sign-up refuses an email that already has an account", async ({ page, context }) => {
  const partner = await signUpPartner(page);
  await signOut(page);
  await context.clearCookies();
  await open(page, "/signup");
  await page.getByLabel("Organization name").fill("Second Org");
  await page.getByRole("combobox", { name: "Country or region" }).selectOption("US");
  await page.getByLabel("Your name").fill("Someone Else");
  await page.getByLabel("Work email").fill(partner.email);
  await page.getByLabel("Password").fill("another-long-password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText("already exists");
  await expect(page).toHaveURL(/\/signup/);
});

test("sign-in ignores return paths that leave the site", async ({ page }) => {
  const partner = await signUpPartner(page);
  await signOut(page);
  await open(page, "/signin?next=https%3A%2F%2Fevil.example%2F");
  await signIn(page, partner.email, partner.password);
  await expect(page).toHaveURL(/\/partner\/customers$/);
});

test("sign out everywhere ends the sessions on every device; their cookies no longer work", async ({ page, browser }) => {
  const partner = await signUpPartner(page);
  // The same person, signed in on a second device.
  const laptop = await newPage(browser);
  await open(laptop, "/signin");
  await signIn(laptop, partner.email, partner.password);
  await expect(laptop).toHaveURL(/\/partner\/customers$/);
  const laptopCookie = (await laptop.context().cookies()).find((c) => c.name === "accord_session");
  expect(laptopCookie).toBeDefined();

  // On the first device, the account menu under the user's name.
  await page.locator("details.account > summary").click();
  await expect(page.getByText("Ends your sessions on every device")).toBeVisible();
  await checkPage(page);
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await waitHydrated(page);

  // The second device is signed out too, and replaying its old cookie gets nowhere.
  await laptop.goto("/partner/customers");
  await expect(laptop).toHaveURL(/\/signin\?next=/);
  const replay = await laptop.request.get("/partner/customers", {
    headers: { cookie: `accord_session=${laptopCookie!.value}` },
    maxRedirects: 0,
  });
  expect(replay.status()).toBe(303);
  expect(replay.headers()["location"]).toMatch(/^\/signin/);

  // Signing in again works as before.
  await signIn(page, partner.email, partner.password);
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await laptop.context().close();
});
