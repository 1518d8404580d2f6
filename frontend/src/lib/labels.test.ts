import { describe, expect, it } from "vitest";
import { formatName, languageName, sentenceCase, showLanguage } from "./labels";

describe("labels", () => {
  it("names languages in the chain's locale", () => {
    expect(languageName("hi", "en-IN")).toBe("Hindi");
    expect(languageName("ml", "en")).toBe("Malayalam");
    expect(languageName("de", "de-DE")).toBe("Deutsch");
  });

  it("names formats", () => {
    expect(formatName("imax")).toBe("IMAX");
    expect(formatName("3d")).toBe("3D");
    expect(formatName("odd")).toBe("ODD");
  });

  it("reads a show's language with subtitles", () => {
    expect(showLanguage("hi", "en", "en-IN")).toBe("Hindi, English subtitles");
    expect(showLanguage("en", "", "en-IE")).toBe("English");
  });

  it("writes codes as words", () => {
    expect(sentenceCase("science-fiction")).toBe("Science fiction");
  });
});
