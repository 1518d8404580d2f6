import { useEffect } from "react";
import { config } from "../config";

/**
 * Names the page in the tab (and for screen readers, which announce the new title
 * after a navigation); the brand's name comes last.
 */
export function usePageTitle(title: string | null | undefined): void {
  useEffect(() => {
    const brand = config().name;
    document.title = title ? `${title} · ${brand}` : brand;
  }, [title]);
}
