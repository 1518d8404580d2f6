import { describe, expect, it } from "vitest";
import { icsDate, icsEscape, icsFile, icsFold } from "./ics";

describe("ics", () => {
  it("writes instants in UTC", () => {
    expect(icsDate("2026-12-05T19:30:00+05:30")).toBe("20261205T140000Z");
  });

  it("escapes text", () => {
    expect(icsEscape("Rows E, F; seats\\ok\nnext")).toBe("Rows E\\, F\\; seats\\\\ok\\nnext");
  });

  it("folds long lines at 75 octets without splitting a character", () => {
    const line = "DESCRIPTION:" + "दि".repeat(40);
    const folded = icsFold(line).split("\r\n");
    const encoder = new TextEncoder();
    expect(folded.length).toBeGreaterThan(1);
    for (const [index, piece] of folded.entries()) {
      expect(encoder.encode(piece).length).toBeLessThanOrEqual(75);
      if (index > 0) expect(piece.startsWith(" ")).toBe(true);
    }
    expect(folded.map((piece, index) => (index ? piece.slice(1) : piece)).join("")).toBe(line);
  });

  it("makes a whole calendar with one event", () => {
    const text = icsFile(
      {
        uid: "order-1@aurora.localhost",
        start: "2026-12-05T19:30:00+05:30",
        end: "2026-12-05T22:13:00+05:30",
        summary: "The Monsoon Heist",
        location: "Aurora Phoenix Palladium, IMAX",
        description: "Seats E13, E14. Booking DHY9EK2Z.",
        stamp: new Date("2026-12-04T10:00:00Z"),
      },
      "Aurora Multiplex",
    );
    expect(text.split("\r\n")).toEqual([
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//Aurora Multiplex//Storefront//EN",
      "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH",
      "BEGIN:VEVENT",
      "UID:order-1@aurora.localhost",
      "DTSTAMP:20261204T100000Z",
      "DTSTART:20261205T140000Z",
      "DTEND:20261205T164300Z",
      "SUMMARY:The Monsoon Heist",
      "LOCATION:Aurora Phoenix Palladium\\, IMAX",
      "DESCRIPTION:Seats E13\\, E14. Booking DHY9EK2Z.",
      "END:VEVENT",
      "END:VCALENDAR",
      "",
    ]);
  });
});
