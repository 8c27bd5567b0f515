import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { Org, UpdateOrgBody } from "../../api/models";
import { formatMoney } from "../../lib/format";
import { ME_KEY } from "../auth";
import { ORG_KEY } from "./keys";

/** The organisation's details. */
export function useOrg() {
  return useQuery({ queryKey: ORG_KEY, queryFn: () => unwrap(api.GET("/api/v1/org")) });
}

/** Formats deal values (minor units) in the organisation's currency: `₹2,999.50`. */
export function useMoney(): (minor: number | null | undefined) => string {
  const currency = useOrg().data?.currency;
  return (minor) => formatMoney(minor, currency);
}

export function useSaveOrg({ onSuccess }: { onSuccess?: (org: Org) => void } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateOrgBody) => unwrap(api.PUT("/api/v1/org", { body })),
    onSuccess: (updated) => {
      client.setQueryData(ORG_KEY, updated);
      // The session carries the organisation's name.
      void client.invalidateQueries({ queryKey: ME_KEY });
      onSuccess?.(updated);
    },
  });
}
