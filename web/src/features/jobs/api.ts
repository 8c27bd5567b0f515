import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "../../api/client";
import type { Job, JobStatus } from "../../api/models";
import { useCursorList } from "../../lib/useCursorList";
import { JOBS_KEY } from "./keys";

/** The jobs in one status (owners and admins only: pass `enabled` accordingly). */
export function useJobs(status: JobStatus, { enabled }: { enabled: boolean }) {
  return useCursorList(
    [...JOBS_KEY, status],
    (cursor) =>
      unwrap(api.GET("/api/v1/jobs", { params: { query: { status, limit: 50, cursor } } })),
    { enabled },
  );
}

/** Queues a job again (a dead one, typically). */
export function useRetryJob(
  job: Job,
  { onSuccess, onError }: { onSuccess?: () => void; onError?: (error: unknown) => void } = {},
) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/jobs/{id}/retry", { params: { path: { id: job.id } } })),
    onSuccess: () => {
      onSuccess?.();
      void client.invalidateQueries({ queryKey: JOBS_KEY });
    },
    onError,
  });
}
