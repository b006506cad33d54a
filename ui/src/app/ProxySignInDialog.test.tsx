// The proxy sign-in prompt: what it asks and why, that the answer goes to Rust once and is
// cleared, and that a refusal from Rust is shown in the dialog.
import { act, fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import type { ProxySignInRequest } from "../platform";
import { ProxySignInDialog } from "./ProxySignInDialog";

const ntlm: ProxySignInRequest = { proxy: "proxy.corp:8080", schemes: ["NTLM", "Basic"], refused: false };

function type(testId: string, value: string) {
  fireEvent.input(screen.getByTestId(testId), { target: { value } });
}

describe("ProxySignInDialog", () => {
  it("asks for the work sign-in, names the proxy, and hands the answer to Rust", async () => {
    const onSave = vi.fn(() => Promise.resolve(null));
    const onSaved = vi.fn();
    render(<ProxySignInDialog request={ntlm} onSave={onSave} onSaved={onSaved} onClose={vi.fn()} />);
    const dialog = screen.getByTestId("proxy-sign-in");
    expect(dialog.textContent).toContain("Your company's network asks Brickdesk to sign in");
    expect(dialog.textContent).toContain("to sign in to Windows");
    expect(dialog.textContent).toContain("Proxy: proxy.corp:8080");
    const save = screen.getByTestId("proxy-sign-in-save");
    expect(save).toHaveProperty("disabled", true);
    type("proxy-sign-in-user", "  CORP\\alice ");
    type("proxy-sign-in-password", "s3cret");
    expect(save).toHaveProperty("disabled", false);
    await act(async () => {
      fireEvent.click(save);
    });
    expect(onSave).toHaveBeenCalledWith("proxy.corp:8080", "CORP\\alice", "s3cret");
    expect(onSaved).toHaveBeenCalledTimes(1);
    // The password does not stay in the page.
    expect((screen.getByTestId("proxy-sign-in-password") as HTMLInputElement).value).toBe("");
  });

  it("says when the saved sign-in was refused, and shows why a save failed", async () => {
    const onSave = vi.fn(() => Promise.reject({ code: "keychain", message: "The system keychain is locked." }));
    const onSaved = vi.fn();
    render(
      <ProxySignInDialog
        request={{ proxy: "proxy.corp:3128", schemes: ["Basic"], refused: true }}
        onSave={onSave}
        onSaved={onSaved}
        onClose={vi.fn()}
      />,
    );
    const dialog = screen.getByTestId("proxy-sign-in");
    expect(dialog.textContent).toContain("did not accept the user name and password");
    expect(dialog.textContent).not.toContain("Windows");
    type("proxy-sign-in-user", "alice");
    type("proxy-sign-in-password", "x");
    await act(async () => {
      fireEvent.click(screen.getByTestId("proxy-sign-in-save"));
    });
    expect((await screen.findByRole("alert")).textContent).toBe("The system keychain is locked.");
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("closes with Not now and with Escape, and shows nothing without a request", () => {
    const onClose = vi.fn();
    const { rerender } = render(<ProxySignInDialog request={ntlm} onSave={vi.fn()} onSaved={vi.fn()} onClose={onClose} />);
    fireEvent.click(screen.getByTestId("proxy-sign-in-cancel"));
    fireEvent(screen.getByTestId("proxy-sign-in"), new Event("cancel", { cancelable: true }));
    expect(onClose).toHaveBeenCalledTimes(2);
    rerender(<ProxySignInDialog request={null} onSave={vi.fn()} onSaved={vi.fn()} onClose={onClose} />);
    expect(screen.queryByTestId("proxy-sign-in-user")).toBeNull();
  });
});
