// The sidebar: brand, both navigation landmarks and the section buttons.
import { workspaceList } from "../test/fixtures";
import { fireEvent, render, screen } from "@testing-library/preact";
import { describe, expect, it, vi } from "vitest";
import { Sidebar } from "./Sidebar";

describe("Sidebar", () => {
  it("has the Workspaces and Sections navigation, the given section current", () => {
    const onSelectSection = vi.fn();
    render(
      <Sidebar
        list={workspaceList([], null)}
        section="genie"
        onSelectWorkspace={vi.fn()}
        onAddWorkspace={vi.fn()}
        onSelectSection={onSelectSection}
      />,
    );
    expect(screen.getByText("Brickdesk")).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Workspaces" })).toBeTruthy();
    const sections = screen.getByRole("navigation", { name: "Sections" });
    expect(sections.querySelector("[aria-current=page]")?.textContent).toBe("Genie agents");
    fireEvent.click(screen.getByTestId("nav-sql"));
    expect(onSelectSection).toHaveBeenCalledWith("sql");
  });
});
