import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";
import { api, endpoints } from "../api";
import type { Tokens } from "../api/session";
import { holdsForgetAll } from "../lib/holdStore";

/** Whether someone is signed in, re-rendering when that changes (in any tab). */
export function useSignedIn(): boolean {
  const session = api().session;
  return useSyncExternalStore(
    (listener) => session.subscribe(listener),
    () => session.signedIn,
    () => false,
  );
}

export function useMe() {
  const signedIn = useSignedIn();
  return useQuery({ queryKey: ["me"], queryFn: endpoints.me, enabled: signedIn, staleTime: 300_000 });
}

/** Sign in or out, dropping what belonged to the previous customer. */
export function useAuthActions() {
  const queries = useQueryClient();
  const signIn = useCallback(
    (tokens: Tokens) => {
      queries.removeQueries({ queryKey: ["me"] });
      queries.removeQueries({ queryKey: ["orders"] });
      api().signIn(tokens);
    },
    [queries],
  );
  const signOut = useCallback(async () => {
    await api().signOut();
    // On a shared computer the next person must not find this customer's seats.
    api().session.resetCart();
    holdsForgetAll();
    queries.removeQueries({ queryKey: ["me"] });
    queries.removeQueries({ queryKey: ["orders"] });
    queries.removeQueries({ queryKey: ["order"] });
  }, [queries]);
  return { signIn, signOut };
}
