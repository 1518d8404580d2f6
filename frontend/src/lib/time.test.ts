import { describe, expect, it } from "vitest";
import {
  addDays,
  dateKey,
  dayLabel,
  formatCountdown,
  formatDateTime,
  formatRuntime,
  formatTime,
} from "./time";

describe("times in the venue's zone, whatever the browser's", () => {
  // 2026-12-05T14:00:00Z is 19:30 in Mumbai and 14:00 in Dublin.
  const instant = "2026-12-05T14:00:00Z";

  it("formats a time in the venue's zone", () => {
    expect(formatTime(instant, "Asia/Kolkata", "en-GB")).toBe("19:30");
    expect(formatTime(instant, "Europe/Dublin", "en-GB")).toBe("14:00");
    expect(formatTime("2026-12-05T19:30:00+05:30", "Asia/Kolkata", "en-GB")).toBe("19:30");
  });

  it("uses the locale's clock", () => {
    expect(formatTime(instant, "Asia/Kolkata", "en-US").replace(/\s/g, " ")).toBe("7:30 PM");
  });

  it("gives the calendar date in the venue's zone", () => {
    // 20:00 UTC on the 4th is already the 5th in Mumbai, still the 4th in Dublin.
    expect(dateKey("2026-12-04T20:00:00Z", "Asia/Kolkata")).toBe("2026-12-05");
    expect(dateKey("2026-12-04T20:00:00Z", "Europe/Dublin")).toBe("2026-12-04");
  });

  it("writes a full date and time", () => {
    expect(formatDateTime(instant, "Europe/Dublin", "en-IE")).toMatch(
      /Saturday,? 5 December 2026.* 14:00/,
    );
  });

  it("honours summer time", () => {
    expect(formatTime("2026-07-01T18:30:00Z", "Europe/Dublin", "en-GB")).toBe("19:30");
  });
});

describe("calendar keys", () => {
  it("adds days across months and years", () => {
    expect(addDays("2026-12-30", 3)).toBe("2027-01-02");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
  });

  it("labels today and tomorrow", () => {
    expect(dayLabel("2026-12-05", "2026-12-05", "en-GB").top).toBe("Today");
    expect(dayLabel("2026-12-06", "2026-12-05", "en-GB").top).toBe("Tomorrow");
    expect(dayLabel("2026-12-07", "2026-12-05", "en-GB")).toEqual({ top: "Mon", bottom: "7 Dec" });
  });
});

describe("durations", () => {
  it("counts down in minutes and seconds, never below zero", () => {
    expect(formatCountdown(600_000)).toBe("10:00");
    expect(formatCountdown(59_001)).toBe("1:00");
    expect(formatCountdown(9_000)).toBe("0:09");
    expect(formatCountdown(-5)).toBe("0:00");
  });

  it("reads runtimes", () => {
    expect(formatRuntime(148)).toBe("2 h 28 min");
    expect(formatRuntime(120)).toBe("2 h");
    expect(formatRuntime(45)).toBe("45 min");
    expect(formatRuntime(null)).toBe("");
  });
});

describe("the test machine's own zone", () => {
  it("is far from the venues', so nothing above passes by accident", () => {
    expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe("Pacific/Kiritimati");
  });
});
