// The sign-in panel shows the preflight's advice before any browser opens, with the registered
// address to use in one click.
import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { workspace } from "../test/fixtures";
import { SignInPanel } from "./SignInPanel";

const fin = workspace({
  id: "fin",
  name: "Finance",
  host: "https://fin.example",
  auth: { kind: "appConnection", clientId: "brickdesk", confidential: false },
});

function panel(advice: Parameters<typeof SignInPanel>[0]["advice"]) {
  const props = { onUseOffer: vi.fn(), onSignIn: vi.fn(), onCancel: vi.fn(), onSignOut: vi.fn() };
  render(<SignInPanel workspace={fin} advice={advice} {...props} />);
  return props;
}

describe("SignInPanel", () => {
  it("offers the registered address when the Brickdesk link is not registered", () => {
    const props = panel({
      message: "The app connection “brickdesk” does not accept dev.brickdesk.app:/oauth/callback, but it does accept http://127.0.0.1:8765/oauth/callback.",
      offer: { kind: "loopback", port: 8765 },
    });
    expect(screen.getByTestId("sign-in-advice").textContent).toContain("does not accept");
    fireEvent.click(screen.getByTestId("use-offered-redirect"));
    expect(props.onUseOffer).toHaveBeenCalledWith({ kind: "loopback", port: 8765 });
    expect(props.onSignIn).not.toHaveBeenCalled();
  });

  it("says what to ask IT for when no address is registered, with no offer", () => {
    panel({ message: "Ask your Databricks admin to add “dev.brickdesk.app:/oauth/callback”.", offer: null });
    expect(screen.getByTestId("sign-in-advice").textContent).toContain("Ask your Databricks admin");
    expect(screen.queryByTestId("use-offered-redirect")).toBeNull();
  });

  it("shows no advice when there is none", () => {
    panel(null);
    expect(screen.queryByTestId("sign-in-advice")).toBeNull();
    expect(screen.getByTestId("sign-in-button")).toBeTruthy();
  });

  it("shows why IT policy forbids a workspace, and offers no sign-in", () => {
    const props = { onUseOffer: vi.fn(), onSignIn: vi.fn(), onCancel: vi.fn(), onSignOut: vi.fn() };
    const reason = "Your IT department allows only the workspaces it set up. Remove this one in its settings.";
    const onSettings = vi.fn();
    render(<SignInPanel workspace={{ ...fin, blocked: reason }} advice={null} {...props} onSettings={onSettings} />);
    expect(screen.getByTestId("sign-in").getAttribute("data-state")).toBe("blocked");
    expect(screen.getByTestId("blocked-reason").textContent).toBe(reason);
    expect(screen.queryByTestId("sign-in-button")).toBeNull();
    fireEvent.click(screen.getByTestId("blocked-settings"));
    expect(onSettings).toHaveBeenCalledOnce();
  });
});
