import { checkPage, expect, newPage, test } from "./fixtures";
import { addUser, open, signIn, signUpPartner, uniqueEmail, waitHydrated } from "./helpers";
import { type Page } from "@playwright/test";

function userRow(page: Page, email: string) {
  return page.locator(`tr[data-user="${email}"]`);
}

test("a Global admin adds a user who sets a password through the link, changes the role and removes the user", async ({ browser, page }) => {
  const partner = await signUpPartner(page, { orgName: "Northwind Partners", adminName: "Ada Admin" });
  await page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/partner\/users$/);
  await waitHydrated(page);
  await expect(page).toHaveTitle(/^Users/);
  await expect(userRow(page, partner.email)).toContainText("(you)");
  await expect(userRow(page, partner.email).locator("td.role")).toHaveText("Global admin");
  await checkPage(page);

  const email = uniqueEmail("sam");
  const link = await addUser(page, "Sam Sales", email, "Admin agent");
  expect(link).toMatch(/\/set-password\?token=[A-Za-z0-9_-]{43}$/);
  await expect(page.getByRole("status").first()).toBeFocused();
  await expect(page.locator("dd.status")).toHaveText("Has not set a password yet");
  // Shown once: the page, opened again, no longer has it.
  await page.reload();
  await waitHydrated(page);
  await expect(page.getByLabel("Link for Sam Sales")).toHaveCount(0);

  // Sam opens the link, sets a password and is signed in.
  const sam = await newPage(browser);
  await open(sam, new URL(link).pathname + new URL(link).search);
  await expect(sam.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await expect(sam.getByText(`For Sam Sales (${email}) at Northwind Partners.`)).toBeVisible();
  await sam.getByLabel("New password").fill("short");
  await sam.getByRole("button", { name: "Set password and sign in" }).click();
  // The browser holds a too-short password back.
  await expect(sam).toHaveURL(/\/set-password/);
  await sam.getByLabel("New password").fill("sam-password-123");
  await sam.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(sam).toHaveURL(/\/partner\/customers$/);
  await waitHydrated(sam);
  await checkPage(sam);
  // The link is used up.
  await open(sam, new URL(link).pathname + new URL(link).search);
  await expect(sam.getByRole("heading", { name: "This link no longer works" })).toBeVisible();

  // An Admin agent reads the list but manages no users.
  await open(sam, "/partner/users");
  await expect(sam.getByText("Only Global admins can add, change or remove users.")).toBeVisible();
  await expect(sam.getByRole("region", { name: "Add a user" })).toHaveCount(0);

  // The admin makes Sam a Sales agent.
  await open(page, "/partner/users");
  await expect(userRow(page, email).locator("td.status")).toHaveText("Active");
  await userRow(page, email).getByRole("link", { name: "Sam Sales" }).click();
  await waitHydrated(page);
  await page.getByRole("combobox", { name: "Role" }).selectOption({ label: "Sales agent" });
  await page.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByText("Role saved.", { exact: false })).toBeVisible();
  await expect(page.locator("dd.role")).toHaveText("Sales agent");
  await checkPage(page);

  // The last Global admin can be neither demoted nor removed: a sentence, nothing changed.
  await open(page, "/partner/users");
  await userRow(page, partner.email).getByRole("link", { name: "Ada Admin" }).click();
  await waitHydrated(page);
  await page.getByLabel("I understand that Ada Admin can no longer sign in.").check();
  await page.getByRole("button", { name: "Remove user" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "needs at least one Global admin" })).toBeVisible();
  await expect(page.locator("dd.role")).toHaveText("Global admin");
  await checkPage(page);

  // Sam is removed and signed out at once.
  await open(page, "/partner/users");
  await userRow(page, email).getByRole("link", { name: "Sam Sales" }).click();
  await waitHydrated(page);
  // Not confirmed: the browser holds the form back.
  await page.getByRole("button", { name: "Remove user" }).click();
  await expect(page.getByText("Sam Sales was removed")).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Sam Sales", level: 1 })).toBeVisible();
  await page.getByLabel("I understand that Sam Sales can no longer sign in.").check();
  await page.getByRole("button", { name: "Remove user" }).click();
  await expect(page.getByText("Sam Sales was removed and can no longer sign in.")).toBeVisible();
  await expect(userRow(page, email)).toHaveCount(0);
  await checkPage(page);
  await sam.goto("/partner/users");
  await expect(sam).toHaveURL(/\/signin/);
  await signIn(sam, email, "sam-password-123");
  await expect(sam.getByRole("alert")).toContainText("The email or password is incorrect.");

  // Each change is in the activity log.
  await open(page, "/partner/activity");
  for (const action of ["User added", "Password set", "User role changed", "User removed"]) {
    await expect(page.locator("tbody tr").filter({ hasText: action }).first()).toBeVisible();
  }
});

test("users are managed without JavaScript", async ({ browser, page }) => {
  const partner = await signUpPartner(page, { orgName: "Plain Forms Ltd", approve: false });
  const noJs = await newPage(browser, { javaScriptEnabled: false });
  await open(noJs, "/signin");
  await signIn(noJs, partner.email, partner.password);
  await expect(noJs).toHaveURL(/\/partner\/customers$/);
  await open(noJs, "/partner/users");
  const email = uniqueEmail("helen");
  const link = await addUser(noJs, "Helen Helpdesk", email, "Helpdesk agent");
  expect(link).toContain("/set-password?token=");
  await noJs.getByLabel("I understand that Helen Helpdesk can no longer sign in.").check();
  await noJs.getByRole("button", { name: "Remove user" }).click();
  await expect(noJs.getByText("Helen Helpdesk was removed and can no longer sign in.")).toBeVisible();
  await checkPage(noJs);
  // The link of a removed user no longer works.
  const helen = await newPage(browser, { javaScriptEnabled: false });
  await helen.goto(new URL(link).pathname + new URL(link).search);
  await expect(helen.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  await checkPage(helen);
});
