/** Words for the API's codes: languages through Intl, formats and kinds from a table. */

const FORMATS: Record<string, string> = {
  "2d": "2D",
  "3d": "3D",
  imax: "IMAX",
  "4dx": "4DX",
  dolby: "Dolby Cinema",
  screenx: "ScreenX",
  live: "Live",
};

const languageNames = new Map<string, Intl.DisplayNames | null>();

export function languageName(code: string, locale: string): string {
  if (!code) return "";
  if (!languageNames.has(locale)) {
    try {
      languageNames.set(locale, new Intl.DisplayNames([locale, "en"], { type: "language" }));
    } catch {
      languageNames.set(locale, null);
    }
  }
  try {
    return languageNames.get(locale)?.of(code) ?? code.toUpperCase();
  } catch {
    return code.toUpperCase();
  }
}

export function formatName(code: string): string {
  return FORMATS[code] ?? code.toUpperCase();
}

export function sentenceCase(text: string): string {
  const words = text.replace(/[-_]/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Hindi, English subtitles" for a show. */
export function showLanguage(audio: string, subtitles: string, locale: string): string {
  const spoken = languageName(audio, locale);
  return subtitles ? `${spoken}, ${languageName(subtitles, locale)} subtitles` : spoken;
}
