//! Team roles and what each may do.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A member's role inside one organisation. Ordered from most to least powerful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Agent,
    Viewer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Owner, Role::Admin, Role::Agent, Role::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Agent => "agent",
            Role::Viewer => "viewer",
        }
    }

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

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; expected owner, admin, agent or viewer")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
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
