import { createContext, useContext } from "react";
import type { DeskApi } from "./api";
import type { BoxOfficeConfig } from "./config";

export interface Desk {
  config: BoxOfficeConfig;
  api: DeskApi;
}

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error("useDesk outside the box office");
  return desk;
}

/** Is this element a text field (keys typed there are text, not commands)? */
export function isTyping(element: Element | null): boolean {
  if (!element) return false;
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (element instanceof HTMLInputElement) {
    return !["button", "submit", "checkbox", "radio", "reset"].includes(element.type);
  }
  return (element as HTMLElement).isContentEditable === true;
}

/** Does the focused control do something with Enter itself? */
export function takesEnter(element: Element | null): boolean {
  if (!element || element === document.body) return false;
  return Boolean(element.closest("button, a[href], [data-seat-id], summary, select, textarea, input"));
}
