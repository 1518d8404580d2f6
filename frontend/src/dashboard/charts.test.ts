import { describe, expect, it } from "vitest";
import { configure, formatValue, palette, type ChartData } from "./charts";

const base: ChartData = {
  type: "bar",
  labels: ["Mon", "Tue"],
  datasets: [
    { label: "Gross", data: [1250.5, 0] },
    { label: "Refunds", data: [10, 0] },
  ],
  colour: "#123abc",
  currency: "INR",
  stacked: false,
  horizontal: false,
  percent: false,
};

describe("dashboard charts", () => {
  it("draws the first series in the chain's colour and falls back on a bad one", () => {
    expect(palette("#123abc", 2)).toEqual(["#123abc", "#123abc99"]);
    expect(palette("red; background: url(x)", 1)).toEqual(["#1f2937"]);
  });

  it("labels money in the currency and shares in percent", () => {
    expect(formatValue(1250, base)).toMatch(/1,250/);
    expect(formatValue(1250, base)).toMatch(/₹|INR/);
    expect(formatValue(42, { ...base, currency: null, percent: true })).toBe("42%");
  });

  it("puts the values on the x axis of horizontal bars, and shares up to 100 %", () => {
    const across = configure({ ...base, horizontal: true, stacked: true });
    expect(across.options?.indexAxis).toBe("y");
    expect(across.options?.scales?.x?.stacked).toBe(true);
    const shares = configure({ ...base, percent: true, currency: null });
    expect((shares.options?.scales?.y as { max?: number }).max).toBe(100);
    expect(shares.data.datasets.map((set) => set.backgroundColor)).toEqual(["#123abc", "#123abc99"]);
  });
});
