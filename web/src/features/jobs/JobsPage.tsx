import { ListRestart, Lock, RefreshCw, RotateCcw } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/errors";
import { JOB_STATUS_LABELS, JOB_STATUSES, optionsOf } from "../../api/enums";
import type { Job, JobStatus } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import { useJobs, useRetryJob } from "./api";

const STATUSES = optionsOf(JOB_STATUSES, JOB_STATUS_LABELS, {
  dead: "Gave up after every attempt",
  pending: "Waiting to run",
  running: "Being worked on now",
  done: "Finished",
  cancelled: "Called off, e.g. the lead replied",
});

const STATUS_TONES: Record<JobStatus, "red" | "amber" | "blue" | "green" | "gray"> = {
  dead: "red",
  pending: "amber",
  running: "blue",
  done: "green",
  cancelled: "gray",
};

const EMPTY: Record<JobStatus, { title: string; description: string }> = {
  dead: {
    title: "No failed jobs",
    description: "Jobs that fail on every attempt are listed here so you can retry them.",
  },
  pending: { title: "Nothing waiting", description: "No jobs are scheduled to run." },
  running: { title: "Nothing running", description: "No job is being worked on right now." },
  done: { title: "No finished jobs", description: "Completed jobs are listed here." },
  cancelled: { title: "No cancelled jobs", description: "Cancelled jobs are listed here." },
};

function RetryButton({ job }: { job: Job }) {
  const { toast } = useToast();
  const retry = useRetryJob(job, {
    onSuccess: () =>
      toast({ title: "Job queued again", description: `${humanize(job.kind)} will run shortly.` }),
    onError: (error) =>
      toast({ tone: "error", title: "Couldn't retry the job", description: errorMessage(error) }),
  });
  return (
    <Button
      variant="secondary"
      size="sm"
      loading={retry.isPending}
      onClick={() => retry.mutate()}
      aria-label={`Retry ${humanize(job.kind)} job`}
    >
      {!retry.isPending && <RotateCcw className="size-3.5" aria-hidden="true" />}
      Retry
    </Button>
  );
}

/** Background jobs (agent runs, sends, follow-ups): see failures and retry them. */
export function JobsPage() {
  const { user } = useSession();
  const allowed = canManage(user.role);
  const [status, setStatus] = useState<JobStatus>("dead");
  const jobs = useJobs(status, { enabled: allowed });

  return (
    <>
      <SettingsHeader
        title="Jobs"
        description="Background work such as agent replies and message sends. Retry what failed."
      />
      {allowed && (
        <div className="mb-4 flex items-center gap-3">
          <label htmlFor="job-status" className="text-sm font-medium text-gray-700">
            Show
          </label>
          <div className="w-56">
            <Select
              id="job-status"
              size="sm"
              value={status}
              onValueChange={setStatus}
              options={STATUSES}
            />
          </div>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => void jobs.refetch()}
            disabled={jobs.isFetching}
            aria-label="Refresh jobs"
            title="Refresh"
          >
            <RefreshCw
              className={jobs.isFetching ? "size-4 animate-spin" : "size-4"}
              aria-hidden="true"
            />
          </Button>
        </div>
      )}
      <ListSection
        list={jobs}
        unavailable={
          allowed ? undefined : (
            <EmptyState
              icon={Lock}
              title="Owners and admins only"
              description="Ask an owner or admin of your organisation if a background job needs attention."
            />
          )
        }
        loading="Loading jobs…"
        empty={
          <EmptyState
            icon={ListRestart}
            title={EMPTY[status].title}
            description={EMPTY[status].description}
          />
        }
      >
        {(items) => (
          <Table label="Background jobs">
            <thead>
              <tr>
                <Th>Job</Th>
                <Th>Conversation</Th>
                <Th>Attempts</Th>
                <Th>Last error</Th>
                <Th>{status === "pending" ? "Runs at" : "Updated"}</Th>
                <Th className="text-right">
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 bg-white">
              {items.map((job) => (
                <tr key={job.id} className="align-top">
                  <Td>
                    <p className="font-medium whitespace-nowrap text-gray-900">
                      {humanize(job.kind)}
                    </p>
                    <div className="mt-1 flex items-center gap-1.5">
                      <Badge tone={STATUS_TONES[job.status]}>{job.status}</Badge>
                      <code className="font-mono text-xs text-gray-400">{job.kind}</code>
                    </div>
                  </Td>
                  <Td>
                    {job.conversation_id ? (
                      <Link
                        to={`/inbox/${job.conversation_id}`}
                        className="font-medium whitespace-nowrap text-brand-700 hover:underline"
                      >
                        Open conversation
                      </Link>
                    ) : (
                      <span className="text-gray-400">—</span>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap tabular-nums">
                    {job.attempts} / {job.max_attempts}
                  </Td>
                  <Td className="max-w-md min-w-56">
                    {job.last_error ? (
                      <p className="font-mono text-xs break-words text-red-700">{job.last_error}</p>
                    ) : (
                      <span className="text-gray-400">—</span>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap text-gray-500">
                    {formatDateTime(status === "pending" ? job.run_at : job.updated_at)}
                  </Td>
                  <Td className="text-right">
                    {job.status === "dead" && <RetryButton job={job} />}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </ListSection>
    </>
  );
}
