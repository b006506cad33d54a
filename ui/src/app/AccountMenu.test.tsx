// The account menu: names the signed-in user, signs out or in, closes on Escape.
import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { workspace } from "../test/fixtures";
import { protectFormulas } from "./preferences";
import { AccountMenu } from "./AccountMenu";
import { shortStatus } from "./signInText";

const alice = workspace({
  id: "demo",
  name: "Demo workspace",
  host: "http://127.0.0.1:8787",
  status: { state: "signedIn", user: "alice@example.com", expiresAtMs: null },
});

describe("AccountMenu", () => {
  it("names the user and signs out from the menu", () => {
    const onSignOut = vi.fn();
    render(<AccountMenu workspace={alice} onSignIn={vi.fn()} onSignOut={onSignOut} onSettings={vi.fn()} />);
    const button = screen.getByRole("button", { name: "Account: alice@example.com" });
    expect(button.textContent).toBe("A");
    fireEvent.click(button);
    expect(button.getAttribute("aria-expanded")).toBe("true");
    expect(screen.getByTestId("account-who").textContent).toContain("Signed in as alice@example.com");
    expect(document.activeElement).toBe(screen.getByRole("menuitem", { name: "Workspace settings…" }));
    const item = screen.getByRole("menuitem", { name: "Sign out of Demo workspace" });
    fireEvent.click(item);
    expect(onSignOut).toHaveBeenCalledOnce();
    expect(screen.queryByRole("menu")).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it("offers sign-in when signed out, and Escape closes it", () => {
    const onSignIn = vi.fn();
    const signedOut = { ...alice, status: { state: "signedOut" as const, reason: "Your sign-in expired. Sign in again." } };
    render(<AccountMenu workspace={signedOut} onSignIn={onSignIn} onSignOut={vi.fn()} onSettings={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Account: not signed in" }));
    expect(screen.getByTestId("account-who").textContent).toContain("Your sign-in expired");
    fireEvent.keyDown(screen.getByRole("menu"), { key: "Escape" });
    expect(screen.queryByRole("menu")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Account: not signed in" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Sign in to Demo workspace" }));
    expect(onSignIn).toHaveBeenCalledOnce();
  });

  it("copies diagnostics for the helpdesk", () => {
    const onDiagnostics = vi.fn();
    const signedOut = { ...alice, status: { state: "signedOut" as const, reason: null } };
    render(<AccountMenu workspace={signedOut} onSignIn={vi.fn()} onSignOut={vi.fn()} onSettings={vi.fn()} onDiagnostics={onDiagnostics} />);
    fireEvent.click(screen.getByRole("button", { name: "Account: not signed in" }));
    fireEvent.click(screen.getByRole("menuitem", { name: "Copy diagnostics" }));
    expect(onDiagnostics).toHaveBeenCalledOnce();
  });

  it("keeps formulas inert by default, and remembers when that is turned off", () => {
    localStorage.clear();
    render(<AccountMenu workspace={alice} onSignIn={vi.fn()} onSignOut={vi.fn()} onSettings={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: /Account/ }));
    const toggle = screen.getByTestId("protect-formulas");
    expect(toggle.getAttribute("aria-checked")).toBe("true");
    fireEvent.click(toggle);
    expect(toggle.getAttribute("aria-checked")).toBe("false");
    expect(protectFormulas()).toBe(false);
    fireEvent.click(toggle);
    expect(protectFormulas()).toBe(true);
  });

  it("has a short status for every sign-in state", () => {
    expect(shortStatus(alice.status)).toBe("alice@example.com");
    expect(shortStatus({ state: "signingIn" })).toBe("Signing in…");
    expect(shortStatus({ state: "signedOut", reason: null })).toBe("Signed out");
    expect(shortStatus({ state: "error", message: "The keychain is locked." })).toBe("Needs attention");
  });
});
