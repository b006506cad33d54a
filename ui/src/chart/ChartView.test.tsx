import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/preact";
import { ChartView, type ChartState } from "./ChartView";
import { buildChart, type ChartChoice } from "./shape";

vi.mock("../platform", () => ({
  copyChartImage: vi.fn(),
  saveChartImage: vi.fn(),
  resultWindow: vi.fn(),
  toAppError: (e: unknown) => ({ code: "internal", message: String(e) }),
}));

const col = (name: string, typeName: string) => ({ name, typeName, typeText: typeName, timeZone: null });
const columns = [col("region", "STRING"), col("segment", "STRING"), col("revenue", "DECIMAL")];
const rows = [
  ["EUROPE", "BUILDING", "10"],
  ["ASIA", "MACHINERY", "7"],
];

function state(choice: ChartChoice, setChoice = vi.fn()): ChartState {
  return { loading: false, columns, choice, spec: buildChart(columns, rows, choice), setChoice };
}

describe("ChartView", () => {
  it("draws the chart with Plot and switches type and columns through the choice", async () => {
    const setChoice = vi.fn();
    render(<ChartView chart={state({ kind: "bar", x: 0, y: 2, series: null }, setChoice)} title="Revenue" />);
    await waitFor(() => expect(screen.getByTestId("chart-canvas").querySelector("svg")).not.toBeNull());
    expect(screen.getByTestId("chart-canvas").textContent).toContain("EUROPE");
    fireEvent.click(screen.getByTestId("chart-kind-stacked"));
    expect(setChoice).toHaveBeenLastCalledWith({ kind: "stacked", x: 0, y: 2, series: 1 });
    fireEvent.change(screen.getByTestId("chart-x"), { target: { value: "1" } });
    expect(setChoice).toHaveBeenLastCalledWith({ kind: "bar", x: 1, y: 2, series: null });
  });

  it("shows one number as a KPI tile in the regional format", () => {
    const chart: ChartState = { loading: false, columns: [col("trips", "LONG")], choice: null, spec: { kind: "counter", label: "trips", value: 21932 }, setChoice: vi.fn() };
    render(<ChartView chart={chart} title="Trips" />);
    expect(screen.getByTestId("genie-chart").textContent).toContain("21,932");
  });
});
