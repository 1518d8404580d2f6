import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { endpoints, items } from "../api";
import type { CategoryInfo } from "../seatmap/describe";

export type Categories = Map<string, CategoryInfo & { rank: number }>;

/** The chain's seat categories, and whether the answer is in (or failed: codes will do). */
export function useCategoriesState(): { categories: Categories; settled: boolean } {
  const query = useQuery({ queryKey: ["seat-categories"], queryFn: endpoints.seatCategories, staleTime: 600_000 });
  const categories = useMemo(() => {
    const map: Categories = new Map();
    for (const category of items(query.data)) {
      map.set(category.code, { name: category.name, colour: category.colour, rank: category.rank });
    }
    return map;
  }, [query.data]);
  return { categories, settled: !query.isPending };
}

/** The chain's seat categories by code: names and colours for maps, legends and receipts. */
export function useCategories(): Categories {
  return useCategoriesState().categories;
}

/** A category's name, or its code made readable while the names load. */
export function categoryName(categories: Categories, code: string): string {
  return categories.get(code)?.name ?? code.charAt(0).toUpperCase() + code.slice(1);
}
