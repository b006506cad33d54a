// Notice texts and list rules.
import { workspace } from "../test/fixtures";
import { describe, expect, it } from "vitest";
import type { Rejection, WorkspaceList } from "../platform";
import { MAX_NOTICES, addNotice, dismissNotice, handledText, rejectionText } from "./notices";

const ALL_REJECTIONS: Rejection[] = [
  "too_long", "not_a_url", "wrong_scheme", "has_authority", "has_fragment", "unknown_path",
  "missing_state", "missing_code", "duplicate_parameter", "invalid_parameter", "unknown_state",
];

const list: WorkspaceList = {
  workspaces: [workspace({ id: "demo", name: "Demo workspace", host: "http://127.0.0.1:1", managed: false })],
  activeId: "demo",
  canAdd: true,
  canUseTokens: true, signInsEndOnQuit: false,
};

describe("notice texts", () => {
  it("explains every rejection reason in its own words", () => {
    const texts = ALL_REJECTIONS.map(rejectionText);
    for (const text of texts) {
      expect(text).toMatch(/^Brickdesk ignored a link it could not use: .+\.$/);
      expect(text).not.toContain("not valid.");
    }
    expect(new Set(texts).size).toBe(ALL_REJECTIONS.length);
  });

  it("names the workspace a link switched to", () => {
    expect(handledText({ route: "open", workspaceId: "demo" }, { ...list, activeId: "demo" })).toBe("Opened from a link (Demo workspace)");
    expect(handledText({ route: "open", workspaceId: "demo" }, { ...list, activeId: "other" })).toBe("A link asks to open Demo workspace");
    expect(handledText({ route: "open", workspaceId: null }, list)).toBe("Opened from a link");
    expect(handledText({ route: "sign_in_callback", workspaceId: null }, list)).toContain("sign-in response");
  });
});

describe("notice list", () => {
  it("keeps the newest notices and dismisses by id", () => {
    let notices = Array.from({ length: MAX_NOTICES + 2 }, (_, i) => ({ id: i + 1, kind: "error" as const, text: `n${i + 1}` }))
      .reduce(addNotice, []);
    expect(notices).toHaveLength(MAX_NOTICES);
    expect(notices[0].id).toBe(3);
    notices = dismissNotice(notices, 4);
    expect(notices.map((n) => n.id)).toEqual([3, 5, 6, 7]);
  });
});
