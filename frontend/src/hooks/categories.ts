import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { endpoints, items } from "../api";
import type { CategoryInfo } from "../seatmap/describe";

export type Categories = Map<string, CategoryInfo & { rank: number }>;

/** The chain's seat categories by code: names and colours for maps, legends and receipts. */
export function useCategories(): Categories {
  const query = useQuery({ queryKey: ["seat-categories"], queryFn: endpoints.seatCategories, staleTime: 600_000 });
  return useMemo(() => {
    const map: Categories = new Map();
    for (const category of items(query.data)) {
      map.set(category.code, { name: category.name, colour: category.colour, rank: category.rank });
    }
    return map;
  }, [query.data]);
}

/** A category's name, or its code made readable while the names load. */
export function categoryName(categories: Categories, code: string): string {
  return categories.get(code)?.name ?? code.charAt(0).toUpperCase() + code.slice(1);
}
