import { describe, expect, it } from "vitest";
import { formatMoney, formatPrice, minorDigits, setMinorDigits } from "./money";

describe("minorDigits", () => {
  it.each([
    ["INR", 2],
    ["EUR", 2],
    ["JPY", 0],
    ["KWD", 3],
  ])("%s has %i minor digits", (currency, digits) => {
    expect(minorDigits(currency)).toBe(digits);
  });
});

describe("formatMoney", () => {
  it.each([
    [42000, "INR", "en-IN", "₹420.00"],
    [12345678, "INR", "en-IN", "₹1,23,456.78"],
    [3550, "EUR", "en-IE", "€35.50"],
    [3500, "EUR", "de-DE", "35,00 €"],
    [1500, "JPY", "ja-JP", "￥1,500"],
    [0, "EUR", "en-IE", "€0.00"],
    [-500, "EUR", "en-IE", "-€5.00"],
  ])("%i %s in %s reads %s", (minor, currency, locale, expected) => {
    expect(formatMoney(minor, currency, locale).replace(/\u00a0/g, " ")).toBe(expected);
  });
});

describe("formatPrice", () => {
  it("drops zero minor digits of whole amounts", () => {
    expect(formatPrice(42000, "INR", "en-IN")).toBe("₹420");
    expect(formatPrice(3500, "EUR", "en-IE")).toBe("€35");
  });

  it("keeps minor digits that are not zero", () => {
    expect(formatPrice(3550, "EUR", "en-IE")).toBe("€35.50");
    expect(formatPrice(42001, "INR", "en-IN")).toBe("₹420.01");
  });
});

describe("the server's minor unit wins over the browser's", () => {
  it("reads IDR amounts in the server's hundredths, though Intl counts no decimals", () => {
    expect(minorDigits("IDR")).toBe(0);
    setMinorDigits("IDR", 2);
    expect(minorDigits("IDR")).toBe(2);
    expect(formatMoney(150000, "IDR", "en").replace(/\u00a0/g, " ")).toBe("IDR 1,500.00");
  });

  it("ignores a nonsense number of digits", () => {
    setMinorDigits("JPY", -1);
    setMinorDigits("JPY", 2.5);
    expect(minorDigits("JPY")).toBe(0);
  });
});
