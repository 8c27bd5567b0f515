import { MailPlus, UserPlus, Users } from "lucide-react";
import { useState, type ReactNode } from "react";
import { errorMessage } from "../../api/errors";
import { ROLES } from "../../api/enums";
import type { Invite, User } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Badge, roleTone } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Switch } from "../../components/ui/Switch";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { RowMenu } from "../../components/ui/Menu";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { canManage, formatDate, initials, roleLabel } from "../../lib/format";
import { useSession } from "../auth";
import {
  useAssignmentSettings,
  useInvites,
  useMembers,
  useRemoveMember,
  useRevokeInvite,
  useSaveAssignmentSettings,
  useSetAvailability,
  useUpdateMember,
} from "./api";
import { InviteDialog } from "./InviteDialog";

const roleOptions = ROLES.map((role) => ({ value: role, label: roleLabel(role) }));

export function TeamPage() {
  const { user } = useSession();
  const manager = canManage(user.role);
  const [inviteOpen, setInviteOpen] = useState(false);

  return (
    <>
      <SettingsHeader
        title="Team"
        description="Everyone in your organisation and what they're allowed to do."
      />
      <div className="space-y-6">
        {manager && <AssignmentCard />}
        <MembersCard
          manager={manager}
          action={
            manager ? (
              <Button onClick={() => setInviteOpen(true)}>
                <UserPlus className="size-4" aria-hidden="true" />
                Invite
              </Button>
            ) : null
          }
        />
        {manager && <InvitesCard onInvite={() => setInviteOpen(true)} />}
      </div>
      {manager && <InviteDialog open={inviteOpen} onOpenChange={setInviteOpen} />}
    </>
  );
}

/** Round-robin: handovers go to the next available member in turn. */
function AssignmentCard() {
  const { toast } = useToast();
  const settings = useAssignmentSettings(true);
  const save = useSaveAssignmentSettings({
    onSuccess: (on) =>
      toast({
        title: on ? "Handovers now go round the team" : "Handovers stay unassigned",
      }),
    onError: (error) =>
      toast({ title: "Couldn't save", description: errorMessage(error), tone: "error" }),
  });
  const on = save.isPending ? !!save.variables : !!settings.data?.round_robin;
  return (
    <Card>
      <CardHeader
        id="assignment-title"
        title="Assignment"
        description="When the agent hands a conversation over, give it to the next available member in turn. Nobody available: it waits unassigned."
        actions={
          <div className="flex items-center gap-2">
            <span className="text-sm text-gray-600" aria-hidden="true">
              Round-robin
            </span>
            <Switch
              aria-label="Round-robin assignment of handovers"
              checked={on}
              disabled={settings.isPending || save.isPending}
              onCheckedChange={(next) => save.mutate(next)}
            />
          </div>
        }
      />
    </Card>
  );
}

function MembersCard({ manager, action }: { manager: boolean; action: ReactNode }) {
  const { user: me } = useSession();
  const { toast } = useToast();
  const [removing, setRemoving] = useState<User | null>(null);

  const users = useMembers();

  const update = useUpdateMember({
    onSuccess: (updated, body) => {
      if (body.role) toast({ title: `${updated.name} is now ${roleLabel(updated.role)}` });
      else if (body.active !== undefined)
        toast({ title: `${updated.name} ${updated.active ? "reactivated" : "deactivated"}` });
    },
    onError: (error) =>
      toast({ title: "Couldn't update member", description: errorMessage(error), tone: "error" }),
  });

  const availability = useSetAvailability({
    onError: (error) =>
      toast({ title: "Couldn't change that", description: errorMessage(error), tone: "error" }),
  });

  const remove = useRemoveMember({
    onSuccess: () => {
      toast({ title: `${removing?.name ?? "Member"} removed from the team` });
      setRemoving(null);
    },
  });

  return (
    <>
      <ListSection
        list={users}
        headerId="members-title"
        title="Members"
        description={manager ? "Change roles, deactivate or remove people." : undefined}
        actions={action}
        loading="Loading members…"
        empty={<EmptyState icon={Users} title="No members yet" />}
      >
        {(members) => (
          <Table label="Team members">
            <thead>
              <tr>
                <Th>Member</Th>
                <Th>Role</Th>
                <Th>Status</Th>
                <Th>Available</Th>
                <Th>Joined</Th>
                {manager && (
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                )}
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 bg-white">
              {members.map((member) => {
                const self = member.id === me.id;
                return (
                  <tr key={member.id} className={member.active ? undefined : "bg-gray-50/70"}>
                    <Td>
                      <div className="flex items-center gap-3">
                        <span
                          aria-hidden="true"
                          className="flex size-8 shrink-0 items-center justify-center rounded-full bg-gray-100 text-xs font-semibold text-gray-600"
                        >
                          {initials(member.name)}
                        </span>
                        <div className="min-w-0">
                          <p className="flex items-center gap-2 font-medium whitespace-nowrap text-gray-900">
                            {member.name}
                            {self && <Badge tone="gray">You</Badge>}
                          </p>
                          <p className="text-gray-500">{member.email}</p>
                        </div>
                      </div>
                    </Td>
                    <Td>
                      {manager ? (
                        <Select
                          size="sm"
                          className="w-28"
                          aria-label={`Role for ${member.name}`}
                          value={member.role}
                          options={roleOptions}
                          disabled={update.isPending}
                          onValueChange={(role) => update.mutate({ id: member.id, body: { role } })}
                        />
                      ) : (
                        <Badge tone={roleTone(member.role)}>{roleLabel(member.role)}</Badge>
                      )}
                    </Td>
                    <Td>
                      {member.active ? (
                        <Badge tone="green">Active</Badge>
                      ) : (
                        <Badge tone="amber">Deactivated</Badge>
                      )}
                    </Td>
                    <Td>
                      {member.role === "viewer" ? (
                        <span className="text-gray-400" title="Viewers answer no leads">
                          —
                        </span>
                      ) : (
                        <Switch
                          aria-label={`${member.name} is available for new conversations`}
                          checked={member.available}
                          disabled={!(manager || self) || availability.isPending}
                          onCheckedChange={(available) =>
                            availability.mutate({ id: member.id, available })
                          }
                        />
                      )}
                    </Td>
                    <Td className="whitespace-nowrap">{formatDate(member.created_at)}</Td>
                    {manager && (
                      <Td className="w-10 text-right">
                        {!self && (
                          <RowMenu
                            label={`Actions for ${member.name}`}
                            actions={[
                              member.active
                                ? {
                                    label: "Deactivate",
                                    onSelect: () =>
                                      update.mutate({ id: member.id, body: { active: false } }),
                                  }
                                : {
                                    label: "Activate",
                                    onSelect: () =>
                                      update.mutate({ id: member.id, body: { active: true } }),
                                  },
                              {
                                label: "Remove from team",
                                danger: true,
                                onSelect: () => {
                                  remove.reset();
                                  setRemoving(member);
                                },
                              },
                            ]}
                          />
                        )}
                      </Td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </ListSection>
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(open) => {
          if (!open) setRemoving(null);
        }}
        title={`Remove ${removing?.name ?? "member"}?`}
        description="They lose access to this organisation immediately. Their past actions stay in the audit log."
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error}
        onConfirm={() => {
          if (removing) remove.mutate(removing.id);
        }}
      />
    </>
  );
}

function InvitesCard({ onInvite }: { onInvite: () => void }) {
  const { toast } = useToast();
  const [revoking, setRevoking] = useState<Invite | null>(null);

  const invites = useInvites();

  const revoke = useRevokeInvite({
    onSuccess: () => {
      toast({ title: "Invite revoked" });
      setRevoking(null);
    },
  });

  return (
    <>
      <ListSection
        list={invites}
        title="Pending invites"
        description="Links that haven't been used yet."
        loading="Loading invites…"
        empty={
          <EmptyState
            icon={MailPlus}
            title="No pending invites"
            description="Invite links you create appear here until they're used, revoked or expire."
            action={
              <Button variant="secondary" size="sm" onClick={onInvite}>
                Create an invite
              </Button>
            }
          />
        }
      >
        {(rows) => (
          <Table label="Pending invites">
            <thead>
              <tr>
                <Th>Email</Th>
                <Th>Role</Th>
                <Th>Created</Th>
                <Th>Expires</Th>
                <Th>
                  <span className="sr-only">Actions</span>
                </Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 bg-white">
              {rows.map((invite) => (
                <tr key={invite.id}>
                  <Td className="whitespace-nowrap">
                    {invite.email ?? <span className="text-gray-400">Anyone with the link</span>}
                  </Td>
                  <Td>
                    <Badge tone={roleTone(invite.role)}>{roleLabel(invite.role)}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap">{formatDate(invite.created_at)}</Td>
                  <Td className="whitespace-nowrap">{formatDate(invite.expires_at)}</Td>
                  <Td className="text-right">
                    <Button
                      variant="ghost"
                      size="sm"
                      className="text-red-600 hover:bg-red-50 hover:text-red-700"
                      onClick={() => {
                        revoke.reset();
                        setRevoking(invite);
                      }}
                      aria-label={`Revoke invite${invite.email ? ` for ${invite.email}` : ""}`}
                    >
                      Revoke
                    </Button>
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </ListSection>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => {
          if (!open) setRevoking(null);
        }}
        title="Revoke this invite?"
        description="The link stops working immediately. You can always create a new one."
        confirmLabel="Revoke"
        pending={revoke.isPending}
        error={revoke.error}
        onConfirm={() => {
          if (revoking) revoke.mutate(revoking.id);
        }}
      />
    </>
  );
}
