//! Team roles and what each may do.
text_enum!(
    /// A member's role inside one organisation, from most to least powerful.
    Role {
        Owner = "owner",
        Admin = "admin",
        Agent = "agent",
        Viewer = "viewer",
    }
);

impl Role {
    /// Owners and admins run the organisation: settings, team, audit log.
    pub fn can_manage_org(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }

    /// Agents work conversations; viewers only look.
    pub fn can_work_conversations(self) -> bool {
        !matches!(self, Role::Viewer)
    }

    /// Whether a member with this role may change a member who has `target` role into
    /// `new_role`. Only an owner may touch owners or create new ones, so an admin can never
    /// lock the owners out of their own business.
    pub fn may_assign(self, target: Role, new_role: Role) -> bool {
        if !self.can_manage_org() {
            return false;
        }
        if self == Role::Owner {
            return true;
        }
        target != Role::Owner && new_role != Role::Owner
    }

    /// Whether this role may invite someone into `invited`.
    pub fn may_invite(self, invited: Role) -> bool {
        self.can_manage_org() && (self == Role::Owner || invited != Role::Owner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), *role);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn admins_cannot_touch_owners() {
        assert!(!Role::Admin.may_assign(Role::Owner, Role::Agent));
        assert!(!Role::Admin.may_assign(Role::Agent, Role::Owner));
        assert!(Role::Admin.may_assign(Role::Agent, Role::Admin));
        assert!(Role::Owner.may_assign(Role::Owner, Role::Admin));
        assert!(!Role::Agent.may_assign(Role::Viewer, Role::Viewer));
        assert!(!Role::Viewer.may_invite(Role::Viewer));
        assert!(!Role::Admin.may_invite(Role::Owner));
        assert!(Role::Owner.may_invite(Role::Owner));
    }
}
