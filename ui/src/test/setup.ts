// Vitest setup: jsdom lacks <dialog> methods; give it minimal ones. Unmount after each test.
import { cleanup } from "@testing-library/preact";
import { afterEach } from "vitest";

if (typeof HTMLDialogElement !== "undefined" && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
  };
}

afterEach(() => cleanup());

// jsdom has no layout, so no ResizeObserver: a stand-in that never fires is enough.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
} as unknown as typeof ResizeObserver;
